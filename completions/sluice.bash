# bash completion for sluice(1). Every word comes from sluice itself
# (`sluice __complete`): its commands and each command's options from the
# tables its parser uses, gate and lane names from the rules file, override
# ids from the ledger. Installed as
# $datadir/bash-completion/completions/sluice.

_sluice_words() {
	# The -C and --rules of the line being completed reach sluice too.
	sluice "${_sluice_globals[@]}" __complete "$@" 2>/dev/null
}

_sluice() {
	local cur prev i w cmd="" sub="" valued
	local -a _sluice_globals=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	# The command and override's command: the first words that are
	# neither options nor an option's value.
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		case $w in
		-C | --rules)
			_sluice_globals+=("$w" "${COMP_WORDS[i + 1]}")
			((i++))
			continue
			;;
		--rules=*) _sluice_globals+=("$w") ;;
		--) break ;;
		-*)
			valued=$(_sluice_words values $cmd $sub)
			if [[ $w != *=* ]] && grep -qxF -- "$w" <<<"$valued"; then
				((i++))
			fi
			;;
		*)
			if [[ -z $cmd ]]; then
				cmd=$w
			elif [[ -z $sub && ($cmd == override || $cmd == import) ]]; then
				sub=$w
			fi
			;;
		esac
	done

	case $prev in
	--gate) COMPREPLY=($(compgen -W "$(_sluice_words gates)" -- "$cur")); return ;;
	--format)
		if [[ $cmd == select ]]; then
			COMPREPLY=($(compgen -W "text json github-matrix gitlab-ci" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "text json" -- "$cur"))
		fi
		return
		;;
	--color) COMPREPLY=($(compgen -W "auto always never" -- "$cur")); return ;;
	--if-missing-base) COMPREPLY=($(compgen -W "run-all fail" -- "$cur")); return ;;
	--flavor) COMPREPLY=($(compgen -W "github gitlab" -- "$cur")); return ;;
	--base | --head | --rev | --commit)
		COMPREPLY=($(compgen -W "$(git for-each-ref --format='%(refname:short)' 2>/dev/null) HEAD" -- "$cur"))
		return
		;;
	-C | --logs) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-j | --jobs | --grace | --reason | --expires | --by | --anchor) return ;;
	--rules | --json | --junit | --summary | --ledger | --results | \
		--codeowners | --from | -o | --output | --paths-from | --sign)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	esac

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_sluice_words options $cmd $sub)" -- "$cur"))
		return
	fi
	case $cmd in
	"") COMPREPLY=($(compgen -W "$(_sluice_words commands)" -- "$cur")) ;;
	help) COMPREPLY=($(compgen -W "$(_sluice_words commands) sluice.yml" -- "$cur")) ;;
	override)
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "$(_sluice_words subcommands override)" -- "$cur"))
		elif [[ $sub == request ]]; then
			COMPREPLY=($(compgen -W "$(_sluice_words gates)" -- "$cur"))
		elif [[ $sub == import ]]; then
			COMPREPLY=($(compgen -f -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_sluice_words overrides | cut -f1)" -- "$cur"))
		fi
		;;
	import)
		if [[ -z $sub ]]; then
			COMPREPLY=($(compgen -W "codeowners" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi
		;;
	repro) COMPREPLY=($(compgen -W "$(_sluice_words gates)" -- "$cur")) ;;
	explain) COMPREPLY=($(compgen -W "$(_sluice_words gates)" -f -- "$cur")) ;;
	owners | merge) COMPREPLY=($(compgen -f -- "$cur")) ;;
	esac
}
complete -F _sluice sluice

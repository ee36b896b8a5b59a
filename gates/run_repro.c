/*
 * run_repro.c: `sluice repro`, one gate exactly as the runner would run it
 * (command, cwd, environment contract, changed-path files) but in the
 * foreground: the terminal's stdin, stdout and stderr, and, when stdin is
 * a terminal, the terminal's foreground for the gate's process group, with
 * ^Z stopping sluice too. And the same job as a shell snippet a developer
 * can paste. Scheduling many jobs is run.c's.
 */
#include "common/common.h"

#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "gates/run_internal.h"

extern char **environ;

#define REPRO_GRACE_MS 5000

/* Gives the terminal's foreground to pgrp, even from the background. */
static void give_terminal(int fd, pid_t pgrp)
{
	sigset_t ttou, old;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	pthread_sigmask(SIG_BLOCK, &ttou, &old);
	tcsetpgrp(fd, pgrp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* The gate stopped (^Z): stop with it, as a shell's job would. */
static void suspend(pid_t pid)
{
	give_terminal(0, getpgrp());
	kill(0, SIGTSTP);
	/* Continued (fg): the gate gets the terminal back and goes on. */
	give_terminal(0, pid);
	kill(-pid, SIGCONT);
}

/* A repro's gate while it runs, and what stops what it leaves behind. */
struct repro {
	pid_t pid;
	bool tty; /* the gate's group has the terminal */
	struct run_signals sig;
	struct run_reaper reaper;
};

/*
 * Sleeps until the gate exits, following it when it stops (^Z). Returns 0
 * once it exited (not reaped yet), or the errno of a failed wait.
 */
static int await_exit(struct repro *r)
{
	unsigned forwarded = 0;
	siginfo_t si;

	for (;;) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)r->pid, &si,
			   WEXITED | WNOHANG | WNOWAIT |
			       (r->tty ? WSTOPPED : 0)) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		if (si.si_pid == r->pid && si.si_code == CLD_STOPPED) {
			waitid(P_PID, (id_t)r->pid, &si, WSTOPPED | WNOHANG);
			suspend(r->pid);
			continue;
		}
		if (si.si_pid == r->pid)
			return 0;
		/* Without a terminal, ^C and kill reach sluice: pass them on. */
		if (sl_run_signals_interrupts() != forwarded) {
			forwarded = sl_run_signals_interrupts();
			kill(-r->pid, sl_run_signals_interrupted());
		}
		sl_run_signals_wait(&r->sig, RUN_NEVER);
	}
}

/*
 * Waits for the gate and puts its wait status (as waitpid() gives it) in
 * out_status: an exit code and a signal are told apart by the caller, as
 * an exit 130 is not a SIGINT. A failed wait is SL_EENV: how the gate ended is then
 * unknown, and it must not pass for an exit 0.
 */
static int wait_gate(int *out_status, struct repro *r, struct sl_error *err)
{
	int wstatus = 0, failed = await_exit(r);

	sl_run_reaper_term(&r->reaper, r->pid, true,
			   sl_now_ms() + REPRO_GRACE_MS);
	if (!failed)
		failed = sl_run_wait_exit(&wstatus, r->pid);
	if (r->tty)
		give_terminal(0, getpgrp());
	if (failed)
		return sl_error_set(err, SL_EENV,
				    "cannot wait for the gate: %s; how it "
				    "ended is unknown, run it again",
				    strerror(failed));
	*out_status = wstatus;
	return 0;
}

static int prepare(struct sl_strvec *env, const struct sl_job *job,
		   const char *dir, struct sl_error *err)
{
	struct sl_buf prefix = SL_BUF_INIT, changed = SL_BUF_INIT,
		      changed0 = SL_BUF_INIT;
	int ret = sl_run_mkdirs(dir, err);

	if (!ret) {
		sl_buf_addf(&prefix, "%s/", dir);
		sl_run_stem(&prefix, job->name);
		ret = sl_run_changed_write(&changed, &changed0, job, prefix.buf,
					   err);
	}
	if (!ret)
		sl_run_env_build(env, job, changed.buf, changed0.buf);
	sl_buf_release(&prefix);
	sl_buf_release(&changed);
	sl_buf_release(&changed0);
	return ret;
}

/* Prints what the sweep warns about: sl_job_repro() has no other channel. */
static void print_warnings(const struct sl_strvec *warnings)
{
	size_t i;

	for (i = 0; i < warnings->n; i++) {
		struct sl_buf shown = SL_BUF_INIT;

		/* Printed here (repro runs in the foreground); never raw. */
		sl_buf_adds_safe(&shown, warnings->v[i]);
		fprintf(stderr, "sluice: warning: %s\n", shown.buf);
		sl_buf_release(&shown);
	}
}

int sl_job_repro(int *out_status, const struct sl_job *job, const char *dir,
		 struct sl_error *err)
{
	struct sl_strvec env = SL_STRVEC_INIT, warnings = SL_STRVEC_INIT;
	struct run_stdio io = {-1, -1};
	struct repro r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.reaper.grace_ms = REPRO_GRACE_MS;
	ret = prepare(&env, job, dir, err);
	if (ret)
		goto out;
	if (isatty(0) && tcgetpgrp(0) == getpgrp())
		io.tty_fd = 0;
	r.tty = io.tty_fd >= 0;
	ret = sl_run_signals_install(&r.sig, err);
	if (ret)
		goto out;
	ret = sl_run_spawn(&r.pid, job, env.v, &io, err);
	if (!ret)
		ret = wait_gate(out_status, &r, err);
	sl_run_reaper_sweep(&r.reaper, &r.sig, &warnings);
	sl_run_signals_restore(&r.sig);
	print_warnings(&warnings);
out:
	sl_run_reaper_release(&r.reaper);
	sl_strvec_release(&env);
	sl_strvec_release(&warnings);
	return ret;
}

/* ---- the snippet ---------------------------------------------------- */

static void quote(struct sl_buf *out, const char *s)
{
	sl_buf_addch(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sl_buf_adds(out, "'\\''");
		else
			sl_buf_addch(out, *s);
	}
	sl_buf_addch(out, '\'');
}

/*
 * s as printf's %b reads it, single-quoted: every byte that is not
 * printable ASCII as \0ooo, a backslash doubled. A snippet is printed on
 * a terminal: a value with a control byte must not reach it raw (issue
 * 12), and %b gives the shell the same bytes back.
 */
static void quote_b(struct sl_buf *out, const char *s)
{
	sl_buf_addch(out, '\'');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\'')
			sl_buf_adds(out, "'\\''");
		else if (c == '\\')
			sl_buf_adds(out, "\\\\");
		else if (c < 0x20 || c >= 0x7f)
			sl_buf_addf(out, "\\0%03o", c);
		else
			sl_buf_addch(out, (char)c);
	}
	sl_buf_addch(out, '\'');
}

/* The snippet's shell variables for values that are not safe to print. */
struct snippet_vars {
	struct sl_buf set; /* "sN=$(printf ...) && sN=${sN%_} &&" lines */
	unsigned n;
};

/* Appends s as one shell word: quoted, or through a variable set first. */
static void word(struct sl_buf *out, struct snippet_vars *sv, const char *s)
{
	if (sl_text_is_safe(s, strlen(s))) {
		quote(out, s);
		return;
	}
	/* $(...) drops trailing newlines: a mark after them keeps them. */
	sv->n++;
	sl_buf_addf(&sv->set, "s%u=$(printf '%%b_' ", sv->n);
	quote_b(&sv->set, s);
	sl_buf_addf(&sv->set, ") && s%u=${s%u%%_} &&\n", sv->n, sv->n);
	sl_buf_addf(out, "\"$s%u\"", sv->n);
}

/*
 * printf FORMAT PATH... >FILE, in commands of bounded length (a long list
 * would pass the kernel's limit on one command's arguments).
 */
static void print_paths(struct sl_buf *out, const struct sl_job *job,
			const char *format, const char *file)
{
	size_t i = 0, chunk = 0;
	bool safe = true;

	for (i = 0; i < job->nchanged && safe; i++)
		safe =
		    sl_text_is_safe(job->changed[i].data, job->changed[i].len);
	i = 0;

	if (!job->nchanged) {
		sl_buf_addf(out, ": >\"$d/%s\" &&\n", file);
		return;
	}
	while (i < job->nchanged) {
		size_t len = 0;

		sl_buf_addf(out, "printf '%s%s'", safe ? "%s" : "%b", format);
		for (; i < job->nchanged && len < 32768; i++) {
			sl_buf_addch(out, ' ');
			if (safe)
				quote(out, job->changed[i].data);
			else
				quote_b(out, job->changed[i].data);
			len += job->changed[i].len + 4;
		}
		sl_buf_addf(out, " >%s\"$d/%s\" &&\n", chunk++ ? ">" : "",
			    file);
	}
}

static void add_command(struct sl_buf *out, struct snippet_vars *sv,
			const struct sl_job *job)
{
	size_t i;

	if (!job->argv.n) {
		sl_buf_adds(out, "/bin/sh -c ");
		word(out, sv, job->shell ? job->shell : "");
		return;
	}
	/* env would take a first word with '=' in it for a variable. */
	if (strchr(job->argv.v[0], '='))
		sl_buf_adds(out, "/bin/sh -c 'exec \"$@\"' sh");
	for (i = 0; i < job->argv.n; i++) {
		if (i || strchr(job->argv.v[0], '='))
			sl_buf_addch(out, ' ');
		word(out, sv, job->argv.v[i]);
	}
}

/* Is the name of entry ("NAME=VALUE") one a shell may unset? */
static bool shell_name(const char *entry)
{
	const char *p = entry;

	if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	      *p == '_'))
		return false;
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	       (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	return *p == '=';
}

/* unset what the runner would not let the gate inherit (SLUICE_*). */
static void print_unset(struct sl_buf *out)
{
	size_t start = out->len;
	char **e;

	for (e = environ; e && *e; e++) {
		if (sl_run_env_inherits(*e) || !shell_name(*e))
			continue;
		sl_buf_adds(out, out->len == start ? "unset " : " ");
		sl_buf_add(out, *e, strcspn(*e, "="));
	}
	if (out->len != start)
		sl_buf_adds(out, " &&\n");
}

void sl_job_snippet(struct sl_buf *out, const struct sl_job *job)
{
	/* Marks for the two values the snippet computes in the shell. */
	static const char changed_mark[] = "$d/changed";
	static const char changed0_mark[] = "$d/changed0";
	struct run_var *vars =
	    sl_xcalloc(sl_st_add(job->nenv, RUN_CONTRACT_VARS), sizeof(*vars));
	size_t n = sl_run_env_vars(vars, job, changed_mark, changed0_mark), i;
	struct sl_buf assign = SL_BUF_INIT, body = SL_BUF_INIT;
	struct snippet_vars sv = {SL_BUF_INIT, 0};

	/* A subshell: pasting it leaves the shell's cwd and variables be. */
	sl_buf_adds(out, "(\nd=$(mktemp -d) &&\n");
	print_paths(out, job, "\\0", "changed0");
	print_paths(out, job, "\\n", "changed");
	print_unset(out);
	sl_buf_adds(&body, "cd ");
	word(&body, &sv, job->cwd ? job->cwd : ".");
	sl_buf_adds(&body, " &&\nenv --");
	for (i = 0; i < n; i++) {
		sl_buf_adds(&body, " \\\n\t");
		if (vars[i].value == changed_mark ||
		    vars[i].value == changed0_mark) {
			sl_buf_addf(&body, "\"%s=%s\"", vars[i].name,
				    vars[i].value);
			continue;
		}
		sl_buf_reset(&assign);
		sl_buf_addf(&assign, "%s=%s", vars[i].name, vars[i].value);
		word(&body, &sv, assign.buf);
	}
	sl_buf_adds(&body, " \\\n\t");
	add_command(&body, &sv, job);
	sl_buf_adds(&body, "\n)\n");
	sl_buf_add(out, sv.set.buf, sv.set.len);
	sl_buf_add(out, body.buf, body.len);
	sl_buf_release(&assign);
	sl_buf_release(&body);
	sl_buf_release(&sv.set);
	free(vars);
}

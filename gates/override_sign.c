/*
 * override_sign.c: proven identities, by OpenSSH signatures. Signs a
 * decision's canonical text with `ssh-keygen -Y sign` and checks one with
 * `ssh-keygen -Y verify` against the trusted allowed_signers content, as
 * git does for signed commits. The only file that runs a child process for
 * the ledger: no shell, a fixed argv, close-on-exec everywhere and
 * closefrom(3) in the child (it never sees the ledger), files in a private
 * temporary directory, and a deadline after which ssh-keygen is killed.
 * What to sign and when a signature is required is override_policy.c's.
 */
#include "common/common.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gates/ledger_internal.h"

extern char **environ;

#define VERIFY_TIMEOUT_MS 10000u
#define SIGN_TIMEOUT_MS 30000u
/* Long enough to type a passphrase. */
#define SIGN_INTERACTIVE_TIMEOUT_MS 300000u
/* Enough of ssh-keygen's chatter for a message. */
#define OUTPUT_MAX 8192

static const char sig_armor[] = "-----BEGIN SSH SIGNATURE-----";

/* A private directory for the files ssh-keygen reads and writes. */
struct scratch {
	struct sl_buf dir;
	struct sl_strvec files;
};

#define SCRATCH_INIT                                                           \
	{                                                                      \
		SL_BUF_INIT, SL_STRVEC_INIT                                    \
	}

static int scratch_init(struct scratch *s, struct sl_error *err)
{
	const char *tmp = getenv("TMPDIR");

	sl_buf_addf(&s->dir, "%s/sluice-sign-XXXXXX",
		    tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(s->dir.buf)) {
		int ret = sl_error_set(err, SL_EENV,
				       "cannot create a temporary directory "
				       "'%s' for ssh-keygen: %s",
				       s->dir.buf, strerror(errno));

		sl_buf_reset(&s->dir);
		return ret;
	}
	return 0;
}

/* The path of name in the scratch directory; removed by scratch_release. */
static const char *scratch_path(struct scratch *s, const char *name)
{
	sl_strvec_pushf(&s->files, "%s/%s", s->dir.buf, name);
	return s->files.v[s->files.n - 1];
}

static int scratch_write(struct scratch *s, const char *name, const char *data,
			 const char **path, struct sl_error *err)
{
	size_t len = strlen(data), done = 0;
	int fd;

	*path = scratch_path(s, name);
	fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return sl_error_set(err, SL_EENV, "cannot write '%s': %s",
				    *path, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = errno;

			close(fd);
			return sl_error_set(err, SL_EENV,
					    "cannot write '%s': %s", *path,
					    strerror(saved));
		}
		done += (size_t)n;
	}
	if (close(fd))
		return sl_error_set(err, SL_EENV, "cannot write '%s': %s",
				    *path, strerror(errno));
	return 0;
}

static void scratch_release(struct scratch *s)
{
	size_t i;

	for (i = 0; i < s->files.n; i++)
		unlink(s->files.v[i]);
	if (s->dir.len)
		rmdir(s->dir.buf);
	sl_strvec_clear(&s->files);
	sl_buf_release(&s->dir);
}

/* ---- running ssh-keygen ----------------------------------------------- */

struct keygen {
	const char *program;
	const char **argv;
	int stdin_fd;	  /* -1: /dev/null (or the terminal, interactive) */
	bool interactive; /* stdin and stderr stay the caller's */
	unsigned timeout_ms;
	struct sl_buf output; /* what it printed (stdout, and stderr) */
	int status;	      /* its exit code; run_keygen() fails otherwise */
};

static int spawn(pid_t *pid, int out_fd, struct keygen *k)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, dflt;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	if (k->stdin_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, k->stdin_fd, 0);
	else if (!k->interactive)
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
						 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	if (!k->interactive)
		posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	/* Whatever the caller left open without O_CLOEXEC stays here. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	sigemptyset(&mask);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	sigaddset(&dflt, SIGCHLD);
	posix_spawnattr_setsigmask(&attr, &mask);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
					    POSIX_SPAWN_SETSIGDEF);
	ret = posix_spawnp(pid, k->program, &fa, &attr, (char *const *)k->argv,
			   environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	return ret;
}

/* How reading ssh-keygen's output ended. */
enum collected {
	COLLECT_EOF,	 /* it closed its output: it is done, or nearly */
	COLLECT_TIMEOUT, /* the deadline passed first */
	COLLECT_FAILED,	 /* poll() or read() failed: errno says why */
};

/* Reads fd into k->output until EOF, an error or the deadline. */
static enum collected collect(int fd, struct keygen *k, uint64_t deadline)
{
	char chunk[4096];

	for (;;) {
		struct pollfd pfd = {fd, POLLIN, 0};
		uint64_t now = sl_now_ms();
		ssize_t n;
		int ready;

		if (now >= deadline)
			return COLLECT_TIMEOUT;
		ready = poll(&pfd, 1, (int)(deadline - now));
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			return COLLECT_FAILED;
		if (!ready)
			return COLLECT_TIMEOUT;
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return COLLECT_FAILED;
		if (!n)
			return COLLECT_EOF;
		if (k->output.len < OUTPUT_MAX)
			sl_buf_add(&k->output, chunk, (size_t)n);
	}
}

/*
 * Waits for pid until the deadline, then kills it: a child that closed its
 * output but does not exit cannot hang sluice either. 0 with *status (as
 * waitpid() gives it), 1 when it had to be killed, -1 when waiting failed
 * (errno says why: ECHILD when something else reaped it, so its pid is not
 * ours to kill any more).
 */
static int reap(pid_t pid, uint64_t deadline, int *status)
{
	const struct timespec nap = {0, 5 * 1000 * 1000};
	pid_t got;

	for (;;) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return 0;
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (sl_now_ms() >= deadline)
			break;
		nanosleep(&nap, NULL);
	}
	kill(pid, SIGKILL);
	/* SIGKILL cannot be caught: this wait is short. */
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 1;
}

/*
 * Runs ssh-keygen and waits for it to exit, never past k->timeout_ms.
 * 0 with k->status its exit code; SL_EENV when it cannot run, its output
 * cannot be read, it is killed (by a signal, or at the deadline) or waiting
 * for it fails: then it did not answer, whatever it printed.
 */
static int run_keygen(struct keygen *k, struct sl_error *err)
{
	uint64_t deadline = sl_now_ms() + k->timeout_ms;
	enum collected how;
	int fds[2], status = 0, saved = 0, reaped;
	pid_t pid;
	int ret;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return sl_error_set(err, SL_EENV, "cannot create a pipe: %s",
				    strerror(errno));
	ret = spawn(&pid, fds[1], k);
	close(fds[1]);
	if (ret) {
		close(fds[0]);
		return sl_error_set(err, SL_EENV,
				    "cannot run '%s': %s; install OpenSSH's "
				    "client (openssh-client)",
				    k->program, strerror(ret));
	}
	how = collect(fds[0], k, deadline);
	if (how == COLLECT_FAILED)
		saved = errno;
	close(fds[0]);
	if (how != COLLECT_EOF)
		kill(pid, SIGKILL);
	reaped = reap(pid, deadline, &status);
	if (reaped < 0)
		return sl_error_set(
		    err, SL_EENV, "ssh-keygen failed: cannot wait for '%s': %s",
		    k->program, strerror(errno));
	if (how == COLLECT_FAILED)
		return sl_error_set(err, SL_EENV,
				    "ssh-keygen failed: cannot read the output "
				    "of '%s': %s; it was stopped",
				    k->program, strerror(saved));
	if (how == COLLECT_TIMEOUT || reaped)
		return sl_error_set(err, SL_EENV,
				    "ssh-keygen failed: '%s' did not finish "
				    "within %u s: it was stopped",
				    k->program, k->timeout_ms / 1000);
	if (WIFSIGNALED(status))
		return sl_error_set(err, SL_EENV,
				    "ssh-keygen failed: '%s' was killed by "
				    "signal %d (%s); retry, and check the "
				    "OpenSSH installation if it recurs",
				    k->program, WTERMSIG(status),
				    strsignal(WTERMSIG(status)));
	k->status = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	return 0;
}

/* ssh-keygen's message, on one line. */
static void keygen_message(struct sl_buf *out, const struct keygen *k)
{
	size_t i;
	bool space = false;

	for (i = 0; i < k->output.len; i++) {
		unsigned char c = (unsigned char)k->output.buf[i];

		if (c == '\n' || c == '\r' || c == '\t') {
			space = out->len > 0;
			continue;
		}
		if (c < ' ')
			continue;
		if (space)
			sl_buf_adds(out, "; ");
		space = false;
		sl_buf_addch(out, c);
	}
	if (!out->len)
		sl_buf_addf(out, "exit status %d", k->status);
}

/* ---- sign and verify ------------------------------------------------- */

int sl_override_sign(struct sl_buf *out, const char *key, const char *text,
		     const char *ssh_keygen, bool interactive,
		     struct sl_error *err)
{
	struct scratch s = SCRATCH_INIT;
	struct keygen k = {.output = SL_BUF_INIT};
	struct sl_buf msg = SL_BUF_INIT;
	const char *argv[9];
	const char *path = NULL;
	int ret = scratch_init(&s, err);

	if (!ret)
		ret = scratch_write(&s, "decision", text, &path, err);
	if (ret)
		goto out;
	/*
	 * The message is a file argument, not stdin: ssh-keygen may read a
	 * passphrase from stdin. It writes the signature to FILE.sig.
	 */
	k.program = ssh_keygen ? ssh_keygen : "ssh-keygen";
	argv[0] = k.program;
	argv[1] = "-Y";
	argv[2] = "sign";
	argv[3] = "-f";
	argv[4] = key;
	argv[5] = "-n";
	argv[6] = SL_OVERRIDE_SIG_NAMESPACE;
	argv[7] = path;
	argv[8] = NULL;
	k.argv = argv;
	k.stdin_fd = -1;
	k.interactive = interactive;
	k.timeout_ms =
	    interactive ? SIGN_INTERACTIVE_TIMEOUT_MS : SIGN_TIMEOUT_MS;
	ret = run_keygen(&k, err);
	path = scratch_path(&s, "decision.sig");
	if (!ret && k.status) {
		keygen_message(&msg, &k);
		ret = sl_error_set(err, SL_EENV,
				   "cannot sign with key '%s': ssh-keygen: %s",
				   key, msg.buf);
	}
	if (!ret)
		ret = sl_buf_read_file(out, path, LEDGER_SIGNATURE_MAX, err);
out:
	sl_buf_release(&msg);
	sl_buf_release(&k.output);
	scratch_release(&s);
	return ret;
}

static int open_message(int *fd, struct scratch *s, const char *text,
			struct sl_error *err)
{
	const char *path;
	int ret = scratch_write(s, "decision", text, &path, err);

	if (ret)
		return ret;
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (*fd < 0)
		return sl_error_set(err, SL_EENV, "cannot read '%s': %s", path,
				    strerror(errno));
	return 0;
}

/*
 * Did ssh-keygen answer "does not hold", or fail to answer? `-Y verify`
 * reports every verification failure the same way: "Could not verify
 * signature." on stdout and exit status 255, whether the signature is bad,
 * for another namespace or text, or its key is not listed for the identity
 * (sig_verify() in ssh-keygen.c). Anything else (another status, or 255
 * from fatal() without that line: out of memory, a broken installation) is
 * not an answer, and must not count as one: a caller asking "is this key
 * also the requester's?" would take "no" for a crash.
 */
static int verify_failure(const struct keygen *k, struct sl_error *err)
{
	static const char said_no[] = "Could not verify signature.";
	struct sl_buf msg = SL_BUF_INIT;
	const char *at = k->output.buf;
	bool refused = false;
	int ret;

	while (k->status == 255 && !refused && (at = strstr(at, said_no))) {
		refused = (at == k->output.buf || at[-1] == '\n') &&
			  (at[strlen(said_no)] == '\n' || !at[strlen(said_no)]);
		at += strlen(said_no);
	}
	keygen_message(&msg, k);
	if (refused)
		ret = sl_error_set(err, SL_EREFUSED, "ssh-keygen: %s", msg.buf);
	else
		ret = sl_error_set(err, SL_EENV,
				   "ssh-keygen failed: '%s' exited with status "
				   "%d without a verdict (%s); the signature "
				   "was not checked: check the OpenSSH "
				   "installation and retry",
				   k->program, k->status, msg.buf);
	sl_buf_release(&msg);
	return ret;
}

int sl_override_verify_signature(const char *allowed_signers,
				 const char *identity, const char *signature,
				 const char *text, const char *ssh_keygen,
				 struct sl_error *err)
{
	struct scratch s = SCRATCH_INIT;
	struct keygen k = {.output = SL_BUF_INIT};
	const char *argv[12];
	const char *signers = NULL, *sig = NULL;
	int fd = -1;
	int ret;

	if (!signature || strncmp(signature, sig_armor, strlen(sig_armor)))
		return sl_error_set(err, SL_EREFUSED,
				    "the signature is not an armored SSH "
				    "signature (%s)",
				    sig_armor);
	ret = scratch_init(&s, err);
	if (!ret)
		ret = scratch_write(&s, "allowed_signers", allowed_signers,
				    &signers, err);
	if (!ret)
		ret = scratch_write(&s, "decision.sig", signature, &sig, err);
	if (!ret)
		ret = open_message(&fd, &s, text, err);
	if (ret)
		goto out;
	k.program = ssh_keygen ? ssh_keygen : "ssh-keygen";
	argv[0] = k.program;
	argv[1] = "-Y";
	argv[2] = "verify";
	argv[3] = "-f";
	argv[4] = signers;
	argv[5] = "-I";
	argv[6] = identity;
	argv[7] = "-n";
	argv[8] = SL_OVERRIDE_SIG_NAMESPACE;
	argv[9] = "-s";
	argv[10] = sig;
	argv[11] = NULL;
	k.argv = argv;
	k.stdin_fd = fd;
	k.timeout_ms = VERIFY_TIMEOUT_MS;
	ret = run_keygen(&k, err);
	if (!ret && k.status)
		ret = verify_failure(&k, err);
out:
	if (fd >= 0)
		close(fd);
	sl_buf_release(&k.output);
	scratch_release(&s);
	return ret;
}

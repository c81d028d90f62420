/*
 * plugin-enter: the first program of every sandboxed plugin start. In one exec it does what `sh` (cgroups,
 * rlimits), `setsid` and `setpriv` (ids, capabilities, no_new_privs, parent-death signal) did in three, each of
 * which costs a process image (milliseconds of CPU on a small VM, times every instance): see docs/sandbox.md.
 *
 *   plugin-enter --nofile N [--join PROCS_FILE]... [--uid UID --gid GID [--drop-bounding-set]] -- COMMAND [ARG]...
 *
 * In this order, as root, before any plugin code runs: no core dumps and N open files (or the hard limit when N is
 * above it), the process joins every cgroup named, becomes the leader of a session and process group of its own,
 * takes the uid and gid with no supplementary groups, no inheritable capabilities and (with --drop-bounding-set,
 * which takes CAP_SETPCAP) an empty bounding set, sets no_new_privs and SIGKILL on its parent's death, then execs
 * COMMAND. Exit 125 (like env and nohup) says this wrapper failed, never the plugin; 126/127 that COMMAND could not
 * be executed or found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail(const char *what, const char *detail)
{
    fprintf(stderr, "sandbox: %s%s%s: %s\n", what, detail ? " " : "", detail ? detail : "", strerror(errno));
    return 125;
}

static int number(const char *text, unsigned long *value)
{
    char *end;
    errno = 0;
    *value = strtoul(text, &end, 10);
    return errno == 0 && end != text && *end == '\0';
}

static int limit_files(unsigned long count)
{
    struct rlimit wanted = { count, count };
    if (setrlimit(RLIMIT_NOFILE, &wanted) == 0)
        return 0;

    /* Above the hard limit without CAP_SYS_RESOURCE: as many as the hard limit allows. */
    struct rlimit current;
    if (getrlimit(RLIMIT_NOFILE, &current) != 0)
        return -1;
    current.rlim_cur = current.rlim_max;
    return setrlimit(RLIMIT_NOFILE, &current);
}

static int join(const char *procs)
{
    int fd = open(procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char pid[32];
    int length = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
    int written = (int)write(fd, pid, (size_t)length);
    int saved = errno;
    close(fd);
    errno = saved;
    return written == length ? 0 : -1;
}

static int drop_bounding_set(void)
{
    for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
    {
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0)
            return -1;
    }
    return 0;
}

static int clear_inheritable(void)
{
    struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0)
        return -1;
    data[0].inheritable = data[1].inheritable = 0;
    return (int)syscall(SYS_capset, &header, data);
}

int main(int argc, char **argv)
{
    unsigned long files = 0, uid = 0, gid = 0;
    int has_files = 0, has_uid = 0, has_gid = 0, drop_bounding = 0, i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++)
    {
        if (strcmp(argv[i], "--nofile") == 0 && i + 1 < argc && number(argv[i + 1], &files))
            has_files = 1, i++;
        else if (strcmp(argv[i], "--join") == 0 && i + 1 < argc)
            i++;
        else if (strcmp(argv[i], "--uid") == 0 && i + 1 < argc && number(argv[i + 1], &uid))
            has_uid = 1, i++;
        else if (strcmp(argv[i], "--gid") == 0 && i + 1 < argc && number(argv[i + 1], &gid))
            has_gid = 1, i++;
        else if (strcmp(argv[i], "--drop-bounding-set") == 0)
            drop_bounding = 1;
        else
        {
            fprintf(stderr, "sandbox: plugin-enter: unknown or incomplete argument '%s'\n", argv[i]);
            return 125;
        }
    }

    if (i + 1 >= argc || !has_files || has_uid != has_gid)
    {
        fprintf(stderr, "sandbox: plugin-enter: usage: --nofile N [--join FILE]... [--uid UID --gid GID [--drop-bounding-set]] -- COMMAND [ARG]...\n");
        return 125;
    }

    struct rlimit no_core = { 0, 0 };
    if (setrlimit(RLIMIT_CORE, &no_core) != 0)
        return fail("cannot turn off core dumps", NULL);
    if (limit_files(files) != 0)
        return fail("cannot set the open files limit", NULL);

    for (int j = 1; j < i; j++)
    {
        if (strcmp(argv[j], "--join") == 0 && join(argv[++j]) != 0)
            return fail("cannot join cgroup", argv[j]);
    }

    if (setsid() < 0)
        return fail("cannot start a session", NULL);

    if (has_uid)
    {
        if (drop_bounding && drop_bounding_set() != 0)
            return fail("cannot empty the capability bounding set", NULL);
        if (setgroups(0, NULL) != 0)
            return fail("cannot clear the supplementary groups", NULL);
        if (setresgid((gid_t)gid, (gid_t)gid, (gid_t)gid) != 0)
            return fail("cannot set the gid", NULL);
        if (clear_inheritable() != 0)
            return fail("cannot clear the inheritable capabilities", NULL);
        if (setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0)
            return fail("cannot set the uid", NULL);
    }

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        return fail("cannot set no_new_privs", NULL);

    /* After the id change, which clears the parent-death signal. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
        return fail("cannot set the parent-death signal", NULL);

    execvp(argv[i + 1], argv + i + 1);
    int code = errno == ENOENT ? 127 : 126;
    fail("cannot execute", argv[i + 1]);
    return code;
}

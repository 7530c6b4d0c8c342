#define _GNU_SOURCE
#include "CADiffShims.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/openat2.h>

#include <libavutil/avutil.h>
#include <libavutil/error.h>
#include <libavutil/log.h>

int cadiff_averror(int posix_errno) { return AVERROR(posix_errno); }
int cadiff_averror_eof(void) { return AVERROR_EOF; }
int cadiff_averror_eagain(void) { return AVERROR(EAGAIN); }
int cadiff_av_strerror(int err, char *buf, size_t size) { return av_strerror(err, buf, size); }
int64_t cadiff_av_nopts_value(void) { return AV_NOPTS_VALUE; }

void cadiff_av_log_quiet(int level_limit) {
    av_log_set_level(level_limit < 0 ? AV_LOG_QUIET : level_limit);
}

static _Atomic(cadiff_av_log_handler) cadiff_log_handler = NULL;

static void cadiff_log_trampoline(void *avcl, int level, const char *fmt, va_list vl) {
    cadiff_av_log_handler handler = cadiff_log_handler;
    if (handler == NULL || level > av_log_get_level()) return;
    char line[1024];
    int print_prefix = 1;
    if (av_log_format_line2(avcl, level, fmt, vl, line, sizeof(line), &print_prefix) < 0) return;
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (n > 0) handler(level, line);
}

void cadiff_av_log_forward(cadiff_av_log_handler handler) {
    cadiff_log_handler = handler;
    av_log_set_callback(handler ? cadiff_log_trampoline : av_log_default_callback);
}

int cadiff_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -errno;
    if (pid) *pid = cred.pid;
    if (uid) *uid = cred.uid;
    if (gid) *gid = cred.gid;
    return 0;
}

int cadiff_open_beneath(int dirfd, const char *path, int flags, unsigned int mode, int no_symlinks) {
    struct open_how how;
    memset(&how, 0, sizeof(how));
    how.flags = (unsigned long long)(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
    long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
    return fd < 0 ? -errno : (int)fd;
}

int cadiff_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath) {
    return renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE) == 0 ? 0 : -errno;
}

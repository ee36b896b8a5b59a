/*
 * banned.h: functions sluice must not call, made compile errors (after git's
 * banned.h). Each has a bounded or growable replacement: sl_buf for string
 * building, strtol/strtoul with end checks for numbers. Included last by
 * common/common.h, after every system header that declares these.
 */
#ifndef SL_BANNED_H
#define SL_BANNED_H

#define SL_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) SL_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SL_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SL_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) SL_BANNED(strncat)
#undef strtok
#define strtok(x, y) SL_BANNED(strtok)
#undef sprintf
#define sprintf(...) SL_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SL_BANNED(vsprintf)
#undef atoi
#define atoi(x) SL_BANNED(atoi)
#undef atol
#define atol(x) SL_BANNED(atol)
#undef gets
#define gets(x) SL_BANNED(gets)

#endif

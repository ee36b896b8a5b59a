/* pattern.c: placeholder until the matcher lands (replaced wholesale). */
#include "common/common.h"

#include "rules/rules.h"

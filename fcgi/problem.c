#include "problem.h"

#include <stdarg.h>
#include <stdio.h>

int problem_set(struct problem *p, int status, const char *fmt, ...)
{
    va_list ap;

    p->status = status;
    va_start(ap, fmt);
    vsnprintf(p->detail, sizeof(p->detail), fmt, ap);
    va_end(ap);
    return -1;
}

int problem_field(struct problem *p, const char *field, const char *message)
{
    if (!p->errors)
        p->errors = json_object_new_object();
    if (p->errors && !json_object_object_get_ex(p->errors, field, NULL))
        json_object_object_add(p->errors, field, json_object_new_string(message));
    return problem_set(p, 422, "some fields are invalid; see errors");
}

void problem_clear(struct problem *p)
{
    json_object_put(p->errors);
    p->errors = NULL;
}

void problem_field_rename(struct problem *p, const char *from, const char *to)
{
    json_object *msg;

    if (!p->errors || !json_object_object_get_ex(p->errors, from, &msg))
        return;
    json_object_object_add(p->errors, to, json_object_get(msg));
    json_object_object_del(p->errors, from);
}

/* Command-line option lookup for the test guests (syntax in rt/options.h). */
#include "tests/guests/rt/options.h"

#include "lib/string.h"
#include "tests/guests/rt/console.h"

static const char *const runtime_options[] = {
	"exit_status", "exit_via", "triple_fault",
	"triple_fault_once", "reset_once", NULL,
};

static const char *cmdline = "";

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Strips one pair of double quotes around [*b, *e). */
static void unquote(const char **b, const char **e)
{
	if (*e - *b >= 2 && **b == '"' && (*e)[-1] == '"') {
		(*b)++;
		(*e)--;
	}
}

bool rt_next_word(const char **pos, struct rt_word *w)
{
	const char *p = *pos, *start, *end, *eq;
	bool quoted = false;

	while (is_space(*p))
		p++;
	if (!*p)
		return false;
	start = p;
	for (; *p && (quoted || !is_space(*p)); p++)
		if (*p == '"')
			quoted = !quoted;
	end = p;
	*pos = p;
	/* GRUB passes an argument holding spaces quoted whole: "name=a b". */
	unquote(&start, &end);
	for (eq = start; eq < end && *eq != '='; eq++)
		;
	w->name = start;
	w->name_len = (size_t)(eq - start);
	w->has_value = eq < end;
	w->val = end;
	w->val_len = 0;
	if (w->has_value) {
		const char *v = eq + 1;

		unquote(&v, &end);
		w->val = v;
		w->val_len = (size_t)(end - v);
	}
	return true;
}

static bool is_kernel_path(const struct rt_word *w)
{
	return !w->has_value && w->name_len > 0 && w->name[0] == '/';
}

void rt_options_init(const char *s)
{
	cmdline = s ? s : "";
}

const char *rt_cmdline(void)
{
	return cmdline;
}

static bool name_is(const struct rt_word *w, const char *name)
{
	return strlen(name) == w->name_len &&
	       memcmp(w->name, name, w->name_len) == 0;
}

bool rt_option(const char *name, struct rt_word *out)
{
	const char *p = cmdline;
	struct rt_word w;
	bool found = false, first = true;

	while (rt_next_word(&p, &w)) {
		if (first && is_kernel_path(&w)) {
			first = false;
			continue;
		}
		first = false;
		if (name_is(&w, name)) {
			*out = w;
			found = true;
		}
	}
	return found;
}

bool rt_option_present(const char *name)
{
	struct rt_word w;

	return rt_option(name, &w);
}

bool rt_option_is(const char *name, const char *value)
{
	struct rt_word w;

	return rt_option(name, &w) && w.has_value &&
	       strlen(value) == w.val_len &&
	       memcmp(w.val, value, w.val_len) == 0;
}

static int digit_value(char c, unsigned base)
{
	int d;

	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return (unsigned)d < base ? d : -1;
}

bool rt_option_uint(const char *name, uint64_t *out, bool *bad)
{
	struct rt_word w;
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0;

	*bad = false;
	if (!rt_option(name, &w))
		return false;
	if (w.val_len > 2 && w.val[0] == '0' && (w.val[1] | 0x20) == 'x') {
		base = 16;
		i = 2;
	}
	if (i == w.val_len)
		goto malformed;
	for (; i < w.val_len; i++) {
		int d = digit_value(w.val[i], base);

		if (d < 0 || v > (UINT64_MAX - (uint64_t)d) / base)
			goto malformed;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return true;
malformed:
	*bad = true;
	return false;
}

static bool listed(const struct rt_word *w, const char *const *list)
{
	for (; *list; list++)
		if (name_is(w, *list))
			return true;
	return false;
}

void rt_options_warn_unknown(const char *const *known)
{
	const char *p = cmdline;
	struct rt_word w;
	bool first = true;

	while (rt_next_word(&p, &w)) {
		bool skip = first && is_kernel_path(&w);

		first = false;
		if (skip || listed(&w, runtime_options) || listed(&w, known))
			continue;
		rt_printf("rt: warning: unknown option '%.*s' ignored\n",
			  (int)w.name_len, w.name);
	}
}

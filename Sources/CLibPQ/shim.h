// libpq's client API. pkg-config `libpq` supplies the include path (-I/usr/include/postgresql on
// Debian), so the header is named plainly. Only RuleStore imports this module.
#include <libpq-fe.h>

// The MariaDB Connector/C API, as Debian's libmariadb-dev installs it (found through pkg-config).
#ifndef CMARIADB_SHIM_H
#define CMARIADB_SHIM_H
#include <mysql.h>
#endif

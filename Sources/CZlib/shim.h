// zlib (system library, package zlib1g-dev): used by CohortStore to read gzip-compressed imports.
#include <zlib.h>

// xxHash from Debian's libxxhash-dev: XXH3-128 digests of checkpoint files (DESIGN.md §7).
#include <xxhash.h>

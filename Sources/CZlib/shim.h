// zlib through pkg-config "zlib": inflate for the gzip-compressed CLIP vocabulary
// (Foundation on Linux has no gzip decoder).
#include <zlib.h>

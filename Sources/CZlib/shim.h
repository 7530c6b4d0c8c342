// zlib through pkg-config "zlib": inflate for the gzip-compressed CLIP vocabulary (Foundation
// on Linux has no gzip decoder) and deflate/crc32 for PNG frames.
#include <zlib.h>

// stb_image is compiled into whatcar rather than linked from Debian's libstb.so, so the
// binary carries one fewer shared library and its decoder limits are ours to set.
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_HDR
#define STBI_NO_PIC
#define STBI_NO_STDIO
#include <stb/stb_image.h>

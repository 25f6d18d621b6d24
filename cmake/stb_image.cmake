# stb_image as whatcar compiles it: Debian 12's header (2.27) with the upstream 2.28 fix for
# Huffman tables declaring more than 256 codes, which 2.27 writes past (found by tests/fuzz).
# The patched copy lives in the build tree; a header that already has the fix is used as is.
find_path(STB_INCLUDE_DIR stb/stb_image.h REQUIRED)
file(READ ${STB_INCLUDE_DIR}/stb/stb_image.h stb_source)
set(stb_unfixed "      for (j=0; j < count[i]; ++j)\n         h->size[k++] = (stbi_uc) (i+1);\n")
set(stb_fixed "      for (j=0; j < count[i]; ++j) {\n         h->size[k++] = (stbi_uc) (i+1);\n         if(k >= 257) return stbi__err(\"bad size list\",\"Corrupt JPEG\");\n      }\n")
string(FIND "${stb_source}" "bad size list" stb_has_fix)
if(stb_has_fix EQUAL -1)
  string(FIND "${stb_source}" "${stb_unfixed}" stb_at)
  if(stb_at EQUAL -1)
    message(FATAL_ERROR "stb_image.h: neither the 2.27 Huffman loop nor its fix found; check cmake/stb_image.cmake")
  endif()
  string(REPLACE "${stb_unfixed}" "${stb_fixed}" stb_source "${stb_source}")
endif()
set(STB_PATCHED_DIR ${CMAKE_BINARY_DIR}/stb-patched)
set(stb_out ${STB_PATCHED_DIR}/stb/stb_image.h)
set(stb_previous "")
if(EXISTS ${stb_out})
  file(READ ${stb_out} stb_previous)
endif()
if(NOT stb_previous STREQUAL stb_source)  # rewrite only on change: no needless rebuilds
  file(WRITE ${stb_out} "${stb_source}")
endif()

# stb_image as whatcar compiles it: Debian 12's header (2.27) with eight fixes that fuzzing
# showed it lacks (tests/fuzz/README.md). The patched copy lives in the build tree; a header
# that already has a fix keeps its own.
find_path(STB_INCLUDE_DIR stb/stb_image.h REQUIRED)
file(READ ${STB_INCLUDE_DIR}/stb/stb_image.h stb_source)

# stb_patch(NAME ALREADY_FIXED_MARKER OLD NEW)
macro(stb_patch name marker old new)
  string(FIND "${stb_source}" "${marker}" stb_has_fix)
  if(stb_has_fix EQUAL -1)
    string(FIND "${stb_source}" "${old}" stb_at)
    if(stb_at EQUAL -1)
      message(FATAL_ERROR "stb_image.h: cannot apply '${name}': neither the 2.27 code nor its fix found")
    endif()
    string(REPLACE "${old}" "${new}" stb_source "${stb_source}")
  endif()
endmacro()

# 1. Huffman tables declaring more than 256 codes overflow the size list (upstream 2.28 fix).
stb_patch("huffman size list" "bad size list"
  "      for (j=0; j < count[i]; ++j)\n         h->size[k++] = (stbi_uc) (i+1);\n"
  "      for (j=0; j < count[i]; ++j) {\n         h->size[k++] = (stbi_uc) (i+1);\n         if(k >= 257) return stbi__err(\"bad size list\",\"Corrupt JPEG\");\n      }\n")
# 2. Decoding with a table that was never defined runs past maxcode[17]: stop at 17, which the
#    code right after already treats as "code not found".
stb_patch("huffman decode bound" "for (k=FAST_BITS+1 ; k < 17 ; ++k)"
  "   for (k=FAST_BITS+1 ; ; ++k)\n"
  "   for (k=FAST_BITS+1 ; k < 17 ; ++k)\n")

# 3. PNM header numbers overflow int (signed overflow, undefined): refuse them as 2.28 does.
stb_patch("pnm integer overflow" "integer parse overflow"
  "      value = value*10 + (*c - '0');\n      *c = (char) stbi__get8(s);\n"
  "      value = value*10 + (*c - '0');\n      *c = (char) stbi__get8(s);\n      if((value > 214748364) || (value == 214748364 && *c > '7'))\n          return stbi__err(\"integer parse overflow\", \"Parsing an integer in the PPM header overflowed a 32-bit int\");\n")

# 4. 16-bit PNM converted with the 8-bit channel converter, then read as 16-bit: a heap overflow.
#    Use the 16-bit converter, as 2.28 does.
stb_patch("pnm 16-bit conversion" "out = (stbi_uc *) stbi__convert_format16((stbi__uint16 *) out, s->img_n"
  "      out = stbi__convert_format(out, s->img_n, req_comp, s->img_x, s->img_y);\n"
  "      if (ri->bits_per_channel == 16)\n         out = (stbi_uc *) stbi__convert_format16((stbi__uint16 *) out, s->img_n, req_comp, s->img_x, s->img_y);\n      else\n         out = stbi__convert_format(out, s->img_n, req_comp, s->img_x, s->img_y);\n")

# 5. A Huffman code can map to a symbol id outside the table (negative, from a bad table or an
#    undefined one): refuse it, as 2.28 does.
stb_patch("huffman symbol range" "symbol id out of bounds"
  "   c = ((j->code_buffer >> (32 - k)) & stbi__bmask[k]) + h->delta[k];\n"
  "   c = ((j->code_buffer >> (32 - k)) & stbi__bmask[k]) + h->delta[k];\n   if(c < 0 || c >= 256) // symbol id out of bounds!\n       return -1;\n")

# 6. A PNG IDAT chunk's length is trusted before its bytes are read: a 125-byte file declaring
#    a 1.2 GB chunk made stb_image reallocate its buffer to 2 GiB first (fuzzing, libFuzzer's
#    malloc limit). whatcar decodes from memory only (stbi_*_from_memory), where the bytes
#    left are known: a chunk longer than that is corrupt, refused before allocating.
stb_patch("png idat length" "IDAT longer than the file"
  "            if ((int)(ioff + c.length) < (int)ioff) return 0;\n"
  "            if ((int)(ioff + c.length) < (int)ioff) return 0;\n            if (s->io.read == NULL && c.length > (stbi__uint32)(s->img_buffer_end - s->img_buffer)) return stbi__err(\"IDAT longer than the file\", \"Corrupt PNG\");\n")

# 7. A JPEG bitstream that runs out of bits drives the bit count negative, and the next refill
#    shifts by 32 or more (undefined; UBSan, session 2's fuzzing). As 2.28 does: the bit readers
#    return zeros once the stream is exhausted, and the fast-AC paths refuse a code longer
#    than the bits left.
stb_patch("jpeg bits exhausted (get_bits, extend_receive)" "if (j->code_bits < n) return 0;"
  "   if (j->code_bits < n) stbi__grow_buffer_unsafe(j);\n"
  "   if (j->code_bits < n) stbi__grow_buffer_unsafe(j);\n   if (j->code_bits < n) return 0; // ran out of bits from stream, return 0s intead of continuing\n")
stb_patch("jpeg bits exhausted (get_bit)" "if (j->code_bits < 1) return 0;"
  "   if (j->code_bits < 1) stbi__grow_buffer_unsafe(j);\n"
  "   if (j->code_bits < 1) stbi__grow_buffer_unsafe(j);\n   if (j->code_bits < 1) return 0; // ran out of bits from stream, return 0s intead of continuing\n")
stb_patch("jpeg fast-AC length (baseline)" "// combined length\n         if (s > j->code_bits)"
  "         s = r & 15; // combined length\n         j->code_buffer <<= s;\n"
  "         s = r & 15; // combined length\n         if (s > j->code_bits) return stbi__err(\"bad huffman code\", \"Combined length longer than code bits available\");\n         j->code_buffer <<= s;\n")
stb_patch("jpeg fast-AC length (progressive)" "// combined length\n            if (s > j->code_bits)"
  "            s = r & 15; // combined length\n            j->code_buffer <<= s;\n"
  "            s = r & 15; // combined length\n            if (s > j->code_bits) return stbi__err(\"bad huffman code\", \"Combined length longer than code bits available\");\n            j->code_buffer <<= s;\n")

# 8. A progressive JPEG whose later scan uses a Huffman table the file never defined reads
#    that table from uninitialised memory: a garbage code length shifted the bit buffer by 32
#    (UBSan, session 3's CI fuzzing; it depends on what the allocator hands back, so the
#    reproducer does not fail every time). As 2.28 does: the decoder state starts zeroed, so
#    an undefined table decodes nothing and the scan fails cleanly.
stb_patch("jpeg state zeroed" "memset(j, 0, sizeof(stbi__jpeg));"
  "   if (!j) return stbi__errpuc(\"outofmem\", \"Out of memory\");\n   STBI_NOTUSED(ri);\n"
  "   if (!j) return stbi__errpuc(\"outofmem\", \"Out of memory\");\n   memset(j, 0, sizeof(stbi__jpeg));\n   STBI_NOTUSED(ri);\n")

set(STB_PATCHED_DIR ${CMAKE_BINARY_DIR}/stb-patched)
set(stb_out ${STB_PATCHED_DIR}/stb/stb_image.h)
set(stb_previous "")
if(EXISTS ${stb_out})
  file(READ ${stb_out} stb_previous)
endif()
if(NOT stb_previous STREQUAL stb_source)  # rewrite only on change: no needless rebuilds
  file(WRITE ${stb_out} "${stb_source}")
endif()

# stb_image calls memcpy(NULL, src, 0) for an empty PNG IDAT chunk (tests/fuzz/regressions/
# png_empty_idat_memcpy_null.png): undefined by the letter of C, harmless in glibc, and not
# ours to patch; UBSan's nonnull check is off for stb's translation unit only (sanitizer
# builds: tests/fuzz and WHATCAR_SANITIZE; without -fsanitize the flag does nothing).
set_source_files_properties(${CMAKE_SOURCE_DIR}/src/image/stb_image_impl.cc PROPERTIES COMPILE_OPTIONS
                            -fno-sanitize=nonnull-attribute)

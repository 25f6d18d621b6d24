#include "image/format_plugin.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <mutex>

#include "image/format.h"
#include "image/formats/plugin_api.h"
#include "util/error.h"
#include "util/executable.h"

namespace whatcar {
namespace {

struct Plugin {
  whatcar_decode_fn decode = nullptr;
  std::string error;  // why it could not be loaded
};

const Plugin& plugin() {
  static const Plugin loaded = [] {
    Plugin p;
    std::string tried;
    for (const std::string& candidate : format_plugin_candidates()) {
      if (!std::filesystem::exists(candidate)) {
        tried += (tried.empty() ? "" : ", ") + candidate;
        continue;
      }
      // Never closed: decoders may be used until the process ends.
      void* handle = ::dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!handle) {
        p.error = fmt::format("cannot load {}: {}", candidate, ::dlerror());
        return p;
      }
      p.decode = reinterpret_cast<whatcar_decode_fn>(::dlsym(handle, WHATCAR_DECODE_SYMBOL));
      if (!p.decode) p.error = fmt::format("{} lacks {}", candidate, WHATCAR_DECODE_SYMBOL);
      return p;
    }
    p.error = fmt::format("{} not found (looked in {})", kFormatPluginFileName, tried);
    return p;
  }();
  return loaded;
}

}  // namespace

bool plugin_decodes(const std::string& format) {
  for (const char* f : {"HEIC", "AVIF", "WebP", "TIFF", "JPEG XL"}) {
    if (format == f) return true;
  }
  return false;
}

std::vector<std::string> format_plugin_candidates() {
  const std::filesystem::path exe = executable_dir();
  return {(exe / kFormatPluginFileName).string(),
          (exe.parent_path() / "lib" / "whatcar" / kFormatPluginFileName).lexically_normal().string()};
}

Image decode_with_plugin(const std::vector<uint8_t>& bytes, const std::string& format, const std::string& path,
                         uint64_t max_pixels, int* orientation) {
  const Plugin& p = plugin();
  if (!p.decode) throw InputError(path, fmt::format("cannot decode {}: {}", format, p.error));
  whatcar_decoded out{};
  const int status = p.decode(format.c_str(), bytes.data(), bytes.size(), max_pixels, &out);
  if (status == WHATCAR_TOO_LARGE) check_pixel_limit(path, {out.width, out.height}, max_pixels);
  if (status != WHATCAR_DECODED) {
    throw InputError(path, out.error[0] ? std::string(out.error) : fmt::format("cannot decode {}", format));
  }
  std::unique_ptr<void, void (*)(void*)> owner(out.owner, out.release);
  Image image;
  image.width = static_cast<int>(out.width);
  image.height = static_cast<int>(out.height);
  image.rgb.assign(out.rgb, out.rgb + static_cast<size_t>(out.width) * out.height * 3);
  *orientation = out.orientation;
  return image;
}

}  // namespace whatcar

#include "util/sha256.h"

#include <fmt/format.h>
#include <nettle/sha2.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

#include "util/error.h"

// Nettle (GnuTLS's crypto library) rather than OpenSSL's libcrypto: both are in Debian, neither
// is in the closure libtorch really loads, and nettle is a 0.3 MB library against 4.7 MB for what
// is one hash here (docs/architecture.md).

namespace whatcar {
namespace {

std::string hex(sha256_ctx& ctx) {
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof digest, digest);
  std::string out;
  for (uint8_t b : digest) out += fmt::format("{:02x}", b);
  return out;
}

}  // namespace

std::string sha256_hex(const uint8_t* data, size_t size) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, size, data);
  return hex(ctx);
}

std::string sha256_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path, std::strerror(errno), kExitUsage);
  sha256_ctx ctx;
  sha256_init(&ctx);
  std::vector<char> buf(1 << 16);
  while (in.read(buf.data(), buf.size()) || in.gcount() > 0) {
    sha256_update(&ctx, static_cast<size_t>(in.gcount()), reinterpret_cast<const uint8_t*>(buf.data()));
  }
  if (in.bad()) throw Error(path, fmt::format("read error: {}", std::strerror(errno)), kExitUsage);
  return hex(ctx);
}

}  // namespace whatcar

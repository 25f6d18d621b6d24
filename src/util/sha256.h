// SHA-256 of files, for the model integrity check and --version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace whatcar {

std::string sha256_hex(const uint8_t* data, size_t size);

// Throws Error(path, ...) when the file cannot be read.
std::string sha256_file(const std::string& path);

}  // namespace whatcar

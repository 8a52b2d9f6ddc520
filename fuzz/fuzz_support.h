#pragma once
// Helpers shared by the fuzz targets. A target feeds the input to a parser and accepts
// exactly the documented outcomes: a value, or a remask::Error (the one-line error of bad
// input). Any other exception escapes and libFuzzer reports it like a crash.

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

namespace remask::fuzz {

inline std::string_view as_text(const uint8_t* data, size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// A private folder for this process (parsers that take a path read files from it).
inline const std::filesystem::path& scratch_dir() {
    static const std::filesystem::path dir = [] {
        std::filesystem::path p = std::filesystem::temp_directory_path() /
                                  ("remask-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(p);
        return p;
    }();
    return dir;
}

// Writes `bytes` to scratch_dir()/name and returns the path.
inline std::string write_scratch_file(const std::string& name, std::string_view bytes) {
    std::string path = (scratch_dir() / name).string();
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    if (!bytes.empty()) std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    return path;
}

// Splits the input at the first occurrence of `separator`: {before, after}; no separator
// gives {input, ""}. Lets one input carry several files or fields.
inline std::pair<std::string_view, std::string_view> split_once(std::string_view text,
                                                                std::string_view separator) {
    size_t at = text.find(separator);
    if (at == std::string_view::npos) return {text, {}};
    return {text.substr(0, at), text.substr(at + separator.size())};
}

}  // namespace remask::fuzz

#include "tasks/dataset_files.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/error.h"

namespace remask {

std::vector<NumberedLine> read_numbered_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw InputError(path, "cannot open the dataset file (set REMASK_DATA to the folder "
                               "holding sst2/ and sst5/, or check the path)");
    std::vector<NumberedLine> lines;
    std::string text;
    for (size_t number = 1; std::getline(in, text); ++number) {
        if (!text.empty() && text.back() == '\r') text.pop_back();
        lines.push_back({number, std::move(text)});
    }
    if (in.bad()) throw InputError(path, "read error");
    return lines;
}

std::string file_line(const std::string& path, size_t line) {
    return path + ":" + std::to_string(line);
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    size_t start = 0;
    while (true) {
        const size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return fields;
        start = tab + 1;
    }
}

std::string trim(const std::string& text) {
    const char* space = " \t\r\n\f\v";
    const size_t begin = text.find_first_not_of(space);
    if (begin == std::string::npos) return "";
    return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

std::vector<TsvRow> read_tsv_with_header(const std::string& path,
                                         const std::vector<std::string>& required_columns) {
    const auto lines = read_numbered_lines(path);
    if (lines.empty()) throw InputError(path, "empty file: expected a header row");
    const auto header = split_tabs(lines[0].text);
    for (const auto& column : required_columns) {
        bool found = false;
        for (const auto& name : header) found = found || name == column;
        if (!found) throw InputError(file_line(path, 1), "header has no column '" + column + "'");
    }
    std::vector<TsvRow> rows;
    for (size_t i = 1; i < lines.size(); ++i) {
        if (trim(lines[i].text).empty()) continue;
        const auto values = split_tabs(lines[i].text);
        if (values.size() != header.size())
            throw InputError(file_line(path, lines[i].number),
                             "has " + std::to_string(values.size()) + " tab-separated fields, the "
                             "header has " + std::to_string(header.size()));
        TsvRow row{lines[i].number, {}};
        for (size_t c = 0; c < header.size(); ++c) row.fields[header[c]] = values[c];
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string resolve_data_dir(const std::string& preferred) {
    if (!preferred.empty()) return preferred;
    if (const char* env = std::getenv("REMASK_DATA"); env && *env) return env;
    if (std::filesystem::is_directory("data/sst2")) return "data";
    return REMASK_DEFAULT_DATA_DIR;
}

}  // namespace remask

#pragma once
// Reading dataset files line by line, with errors that name the file and line at fault.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace remask {

struct NumberedLine {
    size_t number;  // 1-based
    std::string text;  // without the line ending (\n or \r\n)
};

// Every line of a file. Throws InputError naming the file when it cannot be read.
std::vector<NumberedLine> read_numbered_lines(const std::string& path);

// "path:line", the subject of an InputError about one line.
std::string file_line(const std::string& path, size_t line);

std::vector<std::string> split_tabs(const std::string& line);
std::string trim(const std::string& text);

// A tab-separated file with a header row. Each row maps column name → value. Throws
// InputError when a required column is missing or a row has the wrong number of fields.
struct TsvRow {
    size_t line;
    std::map<std::string, std::string> fields;
};
std::vector<TsvRow> read_tsv_with_header(const std::string& path,
                                         const std::vector<std::string>& required_columns);

// The directory holding the bundled datasets (data/sst2, data/sst5, ...): `preferred` when
// not empty, else $REMASK_DATA, else ./data when it exists, else the source tree's data/.
std::string resolve_data_dir(const std::string& preferred);

}  // namespace remask

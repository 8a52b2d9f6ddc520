#include "optimize/span_diff.h"

namespace remask::optimize {

std::vector<EditSpan> diff_spans(const std::string& parent, const std::string& child,
                                 const TokenSplitter& splitter) {
    std::vector<std::string> a = splitter(parent), b = splitter(child);
    const size_t n = a.size(), m = b.size();
    // lcs[i][j]: LCS length of a[i..] and b[j..].
    std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            lcs[i][j] =
                a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);

    std::vector<EditSpan> edits;
    size_t i = 0, j = 0, child_pos = 0;
    EditSpan open;
    bool editing = false;
    auto close = [&] {
        if (editing) {
            open.end = child_pos;
            edits.push_back(open);
            editing = false;
        }
    };
    auto begin = [&] {
        if (!editing) {
            open = EditSpan{child_pos, child_pos, "", ""};
            editing = true;
        }
    };
    while (i < n || j < m) {
        if (i < n && j < m && a[i] == b[j]) {
            close();
            child_pos += b[j].size();
            ++i, ++j;
        } else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) {
            begin();
            open.after += b[j];
            child_pos += b[j].size();
            ++j;
        } else {
            begin();
            open.before += a[i];
            ++i;
        }
    }
    close();
    return edits;
}

nlohmann::json to_json(const std::vector<EditSpan>& edits) {
    nlohmann::json out = nlohmann::json::array();
    for (const EditSpan& e : edits)
        out.push_back(
            {{"start", e.start}, {"end", e.end}, {"before", e.before}, {"after", e.after}});
    return out;
}

std::vector<EditSpan> edits_from_json(const nlohmann::json& array) {
    std::vector<EditSpan> edits;
    if (!array.is_array()) return edits;
    for (const auto& e : array)
        edits.push_back({e.value("start", size_t{0}), e.value("end", size_t{0}),
                         e.value("before", std::string()), e.value("after", std::string())});
    return edits;
}

}  // namespace remask::optimize

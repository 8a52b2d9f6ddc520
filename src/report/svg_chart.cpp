#include "report/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "report/html.h"

namespace remask::report {

namespace {

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                         "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};

}  // namespace

std::string render_score_chart(const std::vector<RunData>& runs) {
    const double width = 640, height = 320, left = 56, right = 150, top = 16, bottom = 44;
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    int64_t max_calls = 1;
    for (const RunData& r : runs)
        for (const CurvePoint& p : r.curve) max_calls = std::max(max_calls, p.target_calls);
    auto x = [&](double calls) { return left + plot_w * calls / static_cast<double>(max_calls); };
    auto y = [&](double val) { return top + plot_h * (1.0 - std::clamp(val, 0.0, 1.0)); };

    std::ostringstream svg;
    svg << "<svg id=\"chart-svg\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width
        << "\" height=\"" << height << "\" viewBox=\"0 0 " << width << " " << height
        << "\" role=\"img\" aria-label=\"validation score against target calls\">\n";
    // Axes and ticks.
    svg << "<line x1=\"" << left << "\" y1=\"" << top + plot_h << "\" x2=\"" << left + plot_w
        << "\" y2=\"" << top + plot_h << "\" stroke=\"#444\"/>\n";
    svg << "<line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left << "\" y2=\""
        << top + plot_h << "\" stroke=\"#444\"/>\n";
    for (int i = 0; i <= 4; ++i) {
        double v = i / 4.0;
        svg << "<line x1=\"" << left << "\" y1=\"" << y(v) << "\" x2=\"" << left + plot_w
            << "\" y2=\"" << y(v) << "\" stroke=\"#ddd\"/>\n<text x=\"" << left - 6 << "\" y=\""
            << y(v) + 4 << "\" text-anchor=\"end\" font-size=\"11\">" << fixed(v, 2) << "</text>\n";
        double calls = static_cast<double>(max_calls) * i / 4.0;
        svg << "<text x=\"" << x(calls) << "\" y=\"" << top + plot_h + 16
            << "\" text-anchor=\"middle\" font-size=\"11\">"
            << static_cast<int64_t>(std::lround(calls)) << "</text>\n";
    }
    svg << "<text x=\"" << left + plot_w / 2 << "\" y=\"" << height - 6
        << "\" text-anchor=\"middle\" font-size=\"12\">target calls</text>\n";
    svg << "<text x=\"14\" y=\"" << top + plot_h / 2 << "\" transform=\"rotate(-90 14 "
        << top + plot_h / 2
        << ")\" text-anchor=\"middle\" font-size=\"12\">best validation score</text>\n";

    for (size_t k = 0; k < runs.size(); ++k) {
        const RunData& r = runs[k];
        const char* color = kColors[k % (sizeof kColors / sizeof *kColors)];
        std::ostringstream points;
        for (size_t i = 0; i < r.curve.size(); ++i) {
            // Stepped: the best score holds until the next improvement.
            if (i > 0)
                points << x(static_cast<double>(r.curve[i].target_calls)) << ","
                       << y(r.curve[i - 1].val) << " ";
            points << x(static_cast<double>(r.curve[i].target_calls)) << "," << y(r.curve[i].val)
                   << " ";
        }
        svg << "<g class=\"series\" id=\"series-" << html_id(r.name) << "\"><title>"
            << escape_html(r.name) << "</title><polyline fill=\"none\" stroke=\"" << color
            << "\" stroke-width=\"2\" points=\"" << points.str() << "\"/>\n";
        for (const CurvePoint& p : r.curve)
            svg << "<circle cx=\"" << x(static_cast<double>(p.target_calls)) << "\" cy=\""
                << y(p.val) << "\" r=\"3\" fill=\"" << color << "\"/>\n";
        svg << "</g>\n<rect x=\"" << left + plot_w + 12 << "\" y=\"" << top + 6 + 18 * k
            << "\" width=\"12\" height=\"12\" fill=\"" << color << "\"/><text x=\""
            << left + plot_w + 30 << "\" y=\"" << top + 16 + 18 * k << "\" font-size=\"12\">"
            << escape_html(r.name) << "</text>\n";
    }
    svg << "</svg>\n";
    return svg.str();
}

}  // namespace remask::report

// insert: open one or two empty slots of `insert_slots` masks at sentence boundaries (the
// start, between sentences, the end; never inside a <keep> block), so the prompt can grow.

#include <algorithm>

#include "optimize/mask_plan.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

class InsertPlan : public MaskPlan {
  public:
    explicit InsertPlan(MaskPlanOptions o) : o_(o) {}
    std::string name() const override { return "insert"; }

    std::vector<MaskInterval> choose(const PromptTokens& tokens, std::mt19937_64& rng,
                                     const std::vector<double>*) const override {
        // Boundaries: before every sentence, after the last piece, and around locked pieces.
        std::vector<size_t> points = {0, tokens.pieces.size()};
        for (const MaskInterval& s : free_sentences(tokens)) {
            points.push_back(s.begin);
            points.push_back(s.end);
        }
        std::sort(points.begin(), points.end());
        points.erase(std::unique(points.begin(), points.end()), points.end());
        size_t count = 1 + uniform_index(rng, 2);
        std::vector<MaskInterval> chosen;
        for (size_t k = 0; k < count && !points.empty(); ++k) {
            size_t at = uniform_index(rng, points.size());
            chosen.push_back({points[at], points[at], 0});
            points.erase(points.begin() + static_cast<std::ptrdiff_t>(at));
        }
        return chosen;
    }

  private:
    MaskPlanOptions o_;
};

}  // namespace

std::unique_ptr<MaskPlan> make_insert_plan(const MaskPlanOptions& options) {
    return std::make_unique<InsertPlan>(options);
}

}  // namespace remask::optimize

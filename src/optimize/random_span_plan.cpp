// random-span: mask a share r ~ U[ratio_min, ratio_max] of the free tokens in spans whose
// lengths are geometric with mean `mean_span`, never crossing a <keep> block.

#include <algorithm>
#include <cmath>

#include "optimize/mask_plan.h"
#include "optimize/rng.h"

namespace remask::optimize {
namespace {

class RandomSpanPlan : public MaskPlan {
  public:
    explicit RandomSpanPlan(MaskPlanOptions o) : o_(o) {}
    std::string name() const override { return "random-span"; }

    std::vector<MaskInterval> choose(const PromptTokens& tokens, std::mt19937_64& rng,
                                     const std::vector<double>*) const override {
        const size_t n = tokens.pieces.size();
        const size_t free = tokens.free_count();
        if (free == 0) return {};
        double ratio = o_.ratio_min + (o_.ratio_max - o_.ratio_min) * uniform01(rng);
        size_t goal = std::max<size_t>(1, static_cast<size_t>(std::lround(ratio * free)));
        std::vector<char> masked(n, 0);
        size_t done = 0;
        const double p = 1.0 / std::max(1.0, o_.mean_span);
        for (int attempt = 0; attempt < 64 && done < goal; ++attempt) {
            // Geometric length >= 1 by inversion, capped by what is still wanted.
            double u = uniform01(rng);
            size_t len =
                p >= 1.0 ? 1 : 1 + static_cast<size_t>(std::floor(std::log1p(-u) / std::log1p(-p)));
            len = std::min(len, goal - done);
            size_t start = uniform_index(rng, n);
            for (size_t i = start; i < n && len > 0 && !tokens.pieces[i].locked; ++i, --len)
                if (!masked[i]) {
                    masked[i] = 1;
                    ++done;
                }
        }
        if (done == 0) {  // every draw hit a lock: take the first free token
            for (size_t i = 0; i < n; ++i)
                if (!tokens.pieces[i].locked) {
                    masked[i] = 1;
                    break;
                }
        }
        std::vector<MaskInterval> spans;
        for (size_t i = 0; i < n;) {
            if (!masked[i]) {
                ++i;
                continue;
            }
            size_t j = i;
            while (j < n && masked[j]) ++j;
            spans.push_back({i, j});
            i = j;
        }
        return spans;
    }

  private:
    MaskPlanOptions o_;
};

}  // namespace

std::unique_ptr<MaskPlan> make_random_span_plan(const MaskPlanOptions& options) {
    return std::make_unique<RandomSpanPlan>(options);
}

}  // namespace remask::optimize

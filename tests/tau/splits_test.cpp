// The splits an optimization run draws from τ-bench: sizes, seeds, and ids unique across
// splits (retail's task lists each number from 0).

#include "tasks/tau/splits.h"

#include <gtest/gtest.h>

#include <set>

namespace remask::tau {
namespace {

std::set<std::string> ids_of(const std::vector<TauTask>& tasks) {
    std::set<std::string> ids;
    for (const TauTask& t : tasks) ids.insert(t.id);
    return ids;
}

void expect_disjoint(const TauSplits& s) {
    std::set<std::string> all;
    size_t n = 0;
    for (const auto* list : {&s.train, &s.val, &s.test}) {
        for (const std::string& id : ids_of(*list)) all.insert(id);
        n += list->size();
    }
    EXPECT_EQ(all.size(), n) << "a task id appears in two splits";
}

TEST(TauSplits, RetailUsesUpstreamSplitsWithIdsUniqueAcrossThem) {
    TaskSettings settings;
    settings.name = "tau-retail";
    settings.train_size = 0;
    settings.val_size = 0;
    settings.test_size = 0;
    TauSplits s = tau_optimization_splits(load_tau_domain("tau-retail"), settings);
    EXPECT_EQ(s.train.size(), 500u);
    EXPECT_EQ(s.val.size(), 20u);
    EXPECT_EQ(s.test.size(), 115u);
    EXPECT_EQ(s.val[7].id, "retail/dev/7");
    EXPECT_EQ(s.test[7].id, "retail/test/7");
    expect_disjoint(s);
}

TEST(TauSplits, SizesAreSeededDrawsKeptInUpstreamOrder) {
    TaskSettings settings;
    settings.name = "tau-retail";
    settings.train_size = 16;
    settings.val_size = 5;
    settings.test_size = 7;
    const TauDomain& retail = load_tau_domain("tau-retail");
    TauSplits a = tau_optimization_splits(retail, settings),
              b = tau_optimization_splits(retail, settings);
    EXPECT_EQ(a.train.size(), 16u);
    EXPECT_EQ(a.val.size(), 5u);
    EXPECT_EQ(a.test.size(), 7u);
    EXPECT_EQ(ids_of(a.train), ids_of(b.train));
    for (size_t i = 1; i < a.train.size(); ++i) EXPECT_LT(a.train[i - 1].index, a.train[i].index);
    settings.seed = 1;
    TauSplits c = tau_optimization_splits(retail, settings);
    EXPECT_NE(ids_of(a.train), ids_of(c.train));
}

TEST(TauSplits, AirlineValidationComesFromTheTrainHalf) {
    TaskSettings settings;
    settings.name = "tau-airline";
    settings.train_size = 0;
    settings.val_size = 100;  // more than there is: at most half of the train half
    settings.test_size = 0;
    const TauDomain& airline = load_tau_domain("tau-airline");
    TauSplits s = tau_optimization_splits(airline, settings);
    EXPECT_EQ(s.val.size(), 12u);
    EXPECT_EQ(s.train.size(), 13u);
    EXPECT_EQ(s.test.size(), 25u);
    expect_disjoint(s);
    std::set<std::string> half = ids_of(airline.split("train", 0));
    for (const auto* list : {&s.train, &s.val})
        for (const TauTask& t : *list) EXPECT_TRUE(half.count(t.id)) << t.id;
    EXPECT_EQ(ids_of(s.test), ids_of(airline.split("test", 0)));
    EXPECT_EQ(s.test.front().id.rfind("airline/all/", 0), 0u);
    settings.val_size = 4;
    TauSplits small = tau_optimization_splits(airline, settings);
    EXPECT_EQ(small.val.size(), 4u);
    EXPECT_EQ(small.train.size(), 21u);
}

}  // namespace
}  // namespace remask::tau

// Every ground-truth action of every task of every split, run through the C++ tools on a
// fresh database, must give upstream's output (golden_replay.json, produced by running the
// upstream Python tools), leave the changed records upstream left, and end with upstream's
// data hash.
#include <gtest/gtest.h>

#include <fstream>

#include "tasks/tau/environment.h"

namespace remask::tau {
namespace {

const std::string kGoldenDataDir = std::string(REMASK_SOURCE_DIR) + "/data/tau-bench";

const Json& golden() {
    static const Json value = [] {
        std::ifstream in(kGoldenDataDir + "/golden_replay.json");
        return Json::parse(in);
    }();
    return value;
}

// Equal as JSON when upstream's output is JSON (and then byte-equal too, since we print
// as Python does), equal as text otherwise.
void expect_same_output(const std::string& ours, const std::string& theirs, const std::string& where) {
    Json theirs_json = Json::parse(theirs, nullptr, false);
    if (!theirs_json.is_discarded() && (theirs_json.is_object() || theirs_json.is_array())) {
        Json ours_json = Json::parse(ours, nullptr, false);
        ASSERT_FALSE(ours_json.is_discarded()) << where << ": not JSON: " << ours.substr(0, 200);
        EXPECT_EQ(ours_json, theirs_json) << where;
    }
    EXPECT_EQ(ours, theirs) << where;
}

void check_split(const std::string& domain_name, const std::string& file_split, const std::string& golden_key) {
    const TauDomain& domain = load_tau_domain(domain_name, kGoldenDataDir);
    const auto& tasks = domain.task_files.at(file_split);
    const Json& records = golden().at(golden_key);
    ASSERT_EQ(records.size(), tasks.size());
    int checked_actions = 0, checked_hashes = 0;
    TauEnvironment env(domain);  // reset() between tasks: a fresh database each time
    for (const auto& record : records) {
        const int index = record.at("task_index").get<int>();
        const TauTask& task = tasks.at(static_cast<size_t>(index));
        const std::string where = golden_key + " task " + std::to_string(index);
        env.reset();
        const Json& actions = record.at("actions");
        ASSERT_EQ(actions.size(), task.actions.size()) << where;
        for (size_t i = 0; i < actions.size(); ++i) {
            ASSERT_EQ(actions[i].at("name"), task.actions[i].name) << where;
            std::string output = env.invoke(task.actions[i].name, task.actions[i].kwargs);
            expect_same_output(output, actions[i].at("output").get<std::string>(),
                               where + " action " + std::to_string(i) + " " + task.actions[i].name);
            ++checked_actions;
        }
        // The records upstream reported changed (compared with Python's ==, as upstream
        // computed them) equal ours; every other record equals the initial one.
        const Json& changed = record.at("changed");
        for (const auto& [table, initial_records] : domain.initial_data.items()) {
            const Json& final_records = env.data().at(table);
            const Json empty = Json::object();
            const Json& changed_table = changed.contains(table) ? changed.at(table) : empty;
            for (const auto& [key, value] : final_records.items()) {
                if (changed_table.contains(key)) {
                    EXPECT_TRUE(py_equal(value, changed_table.at(key)))
                        << where << " " << table << "/" << key << "\nours:     " << python_json_dumps(value)
                        << "\nupstream: " << python_json_dumps(changed_table.at(key));
                } else {
                    EXPECT_TRUE(initial_records.contains(key) && py_equal(initial_records.at(key), value))
                        << where << " " << table << "/" << key << " changed but upstream left it";
                }
            }
            for (const auto& [key, value] : changed_table.items()) {
                EXPECT_EQ(final_records.contains(key), !value.is_null()) << where << " " << table << "/" << key;
            }
        }
        // The full hash costs ~40 ms: check it on a sample, which proves the hash function.
        if (index % 20 == 0 || (!changed.empty() && index % 7 == 0)) {
            EXPECT_EQ(env.data_hash(), record.at("final_hash").get<std::string>()) << where;
            ++checked_hashes;
        }
    }
    EXPECT_GT(checked_actions, 0);
    EXPECT_GT(checked_hashes, 0);
}

TEST(TauGoldenReplay, RetailTest) { check_split("tau-retail", "test", "retail_test"); }
TEST(TauGoldenReplay, RetailTrain) { check_split("tau-retail", "train", "retail_train"); }
TEST(TauGoldenReplay, RetailDev) { check_split("tau-retail", "dev", "retail_dev"); }
TEST(TauGoldenReplay, AirlineAll) { check_split("tau-airline", "all", "airline_test"); }

}  // namespace
}  // namespace remask::tau

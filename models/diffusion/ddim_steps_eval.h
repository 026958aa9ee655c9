// `dgm eval RUN --ddim-steps 1000,250,100,50,20,10 [--n 500] [--eta 0] [--features DIR] [--seed S]`: the run's
// DiffusionModel (EMA weights when it kept them) through ddim_steps_fid (ddim_steps.h) against its data set's test
// split; prints the table, writes ddim_steps.png, ddim_steps_samples.png and ddim_steps.json into the run and appends
// one record to its metrics.jsonl.
#pragma once
#include <string>
#include <vector>

#include "models/diffusion/ddim_steps.h"
#include "tensor/device.h"

namespace dgm::models::diffusion {

// "1000,250,10" -> {1000, 250, 10}; each a step count in [1, 100000], a dgm::Error naming `option` otherwise.
std::vector<int64_t> parse_steps_list(const std::string& option, const std::string& text);

DdimStepsReport eval_ddim_steps(const std::string& run, const std::string& data_dir, const std::string& features,
                                Device device, const DdimStepsOptions& options);

}  // namespace dgm::models::diffusion

#!/bin/bash
# Queues the shard array, then the merge once every shard has succeeded.
set -eu
cd "$(dirname "$0")"
mkdir -p shards
array=$(sbatch --parsable crsim-array.sbatch)
sbatch --dependency=afterok:"${array%%;*}" crsim-merge.sbatch

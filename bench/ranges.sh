# bench/ranges.sh: the ranges of the history bench/gen-monorepo.py writes,
# as "OLD NEW what it is", for the benchmarks that time a diff over each
# (bench/diff/run.sh, bench/select/run.sh). Sourced, not run.
ranges=(
	"bench/base bench/c1 1 file changed"
	"bench/c1 bench/c100 100 files changed"
	"bench/c100 bench/c1000 1,000 files changed"
	"bench/c1000 bench/c20000 20,000 files changed"
	"bench/c20000 bench/add1000 1,000 files added"
	"bench/add1000 bench/del1000 1,000 files deleted"
	"bench/del1000 bench/ren1000 1,000 files renamed"
	"bench/ren1000 bench/range99 99 commits"
)

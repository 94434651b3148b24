# Times glmnet's lasso path on a data set stored as raw doubles (bench/scaling.py --glmnet writes them from the .npy
# files): the same problem and grid as the anchors' glmnet_bench.R (no intercept, no standardization, 100 λ from λmax
# down to EPS·λmax), without its CSV reading, which takes minutes at these sizes.
# Usage: Rscript bench/glmnet_raw.R DIR N P EPS     (DIR holds X.bin, column-major n x p, and y.bin)
suppressMessages(library(glmnet))
a <- commandArgs(TRUE); f <- a[1]; n <- as.integer(a[2]); p <- as.integer(a[3]); eps <- as.numeric(a[4])
X <- matrix(readBin(file.path(f, "X.bin"), "double", n * p), n, p)
y <- readBin(file.path(f, "y.bin"), "double", n)
lmax <- max(abs(as.vector(crossprod(X, y)))) / n
lams <- exp(seq(log(lmax), log(eps * lmax), length.out = 100))
t <- system.time(m <- glmnet(X, y, alpha = 1, lambda = lams, standardize = FALSE, intercept = FALSE))[["elapsed"]]
cat(sprintf('{"tool": "glmnet", "n": %d, "p": %d, "seconds": %.6f, "nnz_last": %d}\n', n, p, t, sum(m$beta[, ncol(m$beta)] != 0)))

# The R side of bench/e2e.sh: read the CSV and fit the lasso path, as a user of R would; the whole process is timed
# from outside. The problem is glmnet_bench.R's (no intercept, no standardization, 100 λ from λmax down to
# EPS·λmax, log-spaced) on X and y read from the CSV, the target in its last column.
# Usage: Rscript e2e.R DATA.csv READER [EPS]    READER: read.csv (base R, as glmnet_bench.R) or fread (data.table)
suppressMessages(library(glmnet))
a <- commandArgs(TRUE); file <- a[1]; how <- a[2]
eps <- if (length(a) > 2) as.numeric(a[3]) else 1e-3
t0 <- proc.time()[["elapsed"]]
if (how == "fread") {
  suppressMessages(library(data.table))
  X <- as.matrix(fread(file, header = TRUE, nThread = parallel::detectCores()))
} else {
  X <- as.matrix(read.csv(file))
}
y <- X[, ncol(X)]; X <- X[, -ncol(X)]
t1 <- proc.time()[["elapsed"]]
n <- nrow(X); p <- ncol(X)
lmax <- max(abs(as.vector(crossprod(X, y)))) / n
lams <- exp(seq(log(lmax), log(eps * lmax), length.out = 100))
m <- glmnet(X, y, alpha = 1, lambda = lams, standardize = FALSE, intercept = FALSE)
t2 <- proc.time()[["elapsed"]]
cat(sprintf('{"tool": "glmnet", "reader": "%s", "n": %d, "p": %d, "lambda_max": %.17g, "read_seconds": %.6f, "fit_seconds": %.6f, "nnz_last": %d}\n',
  how, n, p, lmax, t1 - t0, t2 - t1, sum(m$beta[, ncol(m$beta)] != 0)))

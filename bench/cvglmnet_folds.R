# cv.glmnet on an anchor data set with the folds Shrink's side mode and scikit-learn's LassoCV(cv=10) use (KFold(10):
# ten contiguous blocks of rows, the first n %% 10 one row longer), so that λmin can be compared exactly. The anchors'
# glmnet_bench.R lets cv.glmnet draw random folds with no seed, which only allows a time comparison.
# Usage: Rscript bench/cvglmnet_folds.R DATADIR NAME [EPS]  -> one JSON line, tool "glmnet-samefolds".
suppressMessages(library(glmnet))
a <- commandArgs(TRUE); f <- file.path(a[1], a[2])
eps <- if (length(a) > 2) as.numeric(a[3]) else 1e-3
X <- as.matrix(read.csv(file.path(f, "data.csv")))
y <- X[, ncol(X)]; X <- X[, -ncol(X)]
n <- nrow(X); p <- ncol(X); k <- 10
lmax <- max(abs(as.vector(crossprod(X, y)))) / n
lams <- exp(seq(log(lmax), log(eps * lmax), length.out = 100))
sizes <- rep(n %/% k, k) + c(rep(1, n %% k), rep(0, k - n %% k))
foldid <- rep(seq_len(k), times = sizes)
t <- system.time(m <- cv.glmnet(X, y, alpha = 1, lambda = lams, foldid = foldid, standardize = FALSE, intercept = FALSE))[["elapsed"]]
cat(sprintf('{"tool": "glmnet-samefolds", "task": "lassocv", "data": "%s", "n": %d, "p": %d, "seconds": %.6f, "lambda_min": %.17g, "lambda_min_index": %d}\n',
            a[2], n, p, t, m$lambda.min, which(m$lambda == m$lambda.min)))

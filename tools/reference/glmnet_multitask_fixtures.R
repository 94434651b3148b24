# glmnet family = "mgaussian" reference fits for the Shrink multi-task fixtures.
#
# Usage: Rscript tools/reference/glmnet_multitask_fixtures.R <data.csv> <k> <foldid|none> <out.json>
#
# <data.csv> has a header line; the first p columns are features, the last <k>
# columns are the responses.  Called by make_multitask_fixtures.py, one data set
# at a time.  Writes <out.json> (hand-written JSON, numbers as %.17g) with:
#   - versions of R and glmnet, and an echo of x and y as read;
#   - "cases": alpha in {1, 0.5} x standardize x intercept, three lambdas each,
#     c(0.5, 0.1, 0.02) * the first lambda of glmnet's own default path;
#   - "paths": glmnet's default path (nlambda 100) for alpha 1 and 0.5,
#     standardize TRUE, intercept TRUE;
#   - "cv": cv.glmnet(type.measure = "mse") on the alpha 1 default path with
#     the given fold ids (1-based), when foldid is not "none".
# Every fit: standardize.response = FALSE, maxit = 1e8, the smallest thresh of
# THRESH_LADDER that converges, glmnet.control(fdev = 0, devmax = 1).

suppressPackageStartupMessages(library(glmnet))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 4) stop("usage: Rscript glmnet_multitask_fixtures.R <data.csv> <k> <foldid|none> <out.json>")
infile <- args[1]
k <- as.integer(args[2])
foldfile <- args[3]
outfile <- args[4]

d <- read.csv(infile, header = TRUE, colClasses = "numeric")
p <- ncol(d) - k
x <- as.matrix(d[, seq_len(p), drop = FALSE])
colnames(x) <- NULL
y <- as.matrix(d[, p + seq_len(k), drop = FALSE])
colnames(y) <- NULL

THRESH_LADDER <- c(1e-30, 1e-24, 1e-20, 1e-16, 1e-14)
MAXIT <- 1e8
glmnet.control(fdev = 0, devmax = 1)

num <- function(v) {
  v <- as.numeric(v)
  if (any(!is.finite(v))) stop("non-finite number in output")
  sprintf("%.17g", v)
}
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
mat <- function(m) paste0("[", paste(vapply(seq_len(nrow(m)), function(i) arr(m[i, ]), character(1)), collapse = ", "), "]")
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
lgl <- function(b) if (b) "true" else "false"
fmtlam <- function(v) paste(sprintf("%.17g", v), collapse = ", ")

fit_one <- function(alpha, lambda, standardize, intercept) {
  for (thresh in THRESH_LADDER) {
    f <- suppressWarnings(
      glmnet(x, y, family = "mgaussian", alpha = alpha, lambda = lambda,
             standardize = standardize, intercept = intercept,
             standardize.response = FALSE, thresh = thresh, maxit = MAXIT))
    if (f$jerr == 0 && length(f$lambda) == length(lambda)) {
      f$thresh_used <- thresh
      return(f)
    }
  }
  stop(sprintf("glmnet did not converge: alpha=%g standardize=%s intercept=%s", alpha, standardize, intercept))
}

default_path <- function(alpha, standardize, intercept) {
  glmnet(x, y, family = "mgaussian", alpha = alpha, standardize = standardize,
         intercept = intercept, standardize.response = FALSE)$lambda
}

# Intercepts (k) and coefficients (p x k) of fit f at its l-th lambda.
solution <- function(f, l) {
  cf <- coef(f)
  a0 <- vapply(seq_len(k), function(t) cf[[t]][1, l], numeric(1))
  b <- sapply(seq_len(k), function(t) as.numeric(cf[[t]][-1, l]))
  if (p == 1) b <- matrix(b, nrow = 1)
  list(a0 = a0, b = b)
}

cases <- character(0)
for (standardize in c(TRUE, FALSE)) {
  for (intercept in c(TRUE, FALSE)) {
    for (alpha in c(1, 0.5)) {
      factors <- c(0.5, 0.1, 0.02)
      lambda <- factors * default_path(alpha, standardize, intercept)[1]
      f <- fit_one(alpha, lambda, standardize, intercept)
      call <- sprintf(paste0("glmnet(x, y, family=\"mgaussian\", alpha=%s, lambda=c(%s), standardize=%s, intercept=%s, ",
                             "standardize.response=FALSE, thresh=%s, maxit=1e8) with glmnet.control(fdev=0, devmax=1)"),
                      format(alpha), fmtlam(lambda), standardize, intercept, format(f$thresh_used))
      for (l in seq_along(lambda)) {
        s <- solution(f, l)
        cases <- c(cases, paste0("{",
          "\"alpha\": ", num(alpha), ", \"factor\": ", num(factors[l]), ", \"index\": ", l, ", ",
          "\"lambda\": ", num(f$lambda[l]), ", \"standardize\": ", lgl(standardize), ", ",
          "\"intercept\": ", lgl(intercept), ", \"call\": ", str(call), ", ",
          "\"a0\": ", arr(s$a0), ", \"beta\": ", mat(s$b), "}"))
      }
    }
  }
}

paths <- character(0)
for (alpha in c(1, 0.5)) {
  lambda <- default_path(alpha, TRUE, TRUE)
  f <- fit_one(alpha, lambda, TRUE, TRUE)
  sols <- lapply(seq_along(lambda), function(l) solution(f, l))
  call <- sprintf(paste0("glmnet(x, y, family=\"mgaussian\", alpha=%s, lambda=<glmnet's default path>, standardize=TRUE, ",
                         "intercept=TRUE, standardize.response=FALSE, thresh=%s, maxit=1e8) with glmnet.control(fdev=0, devmax=1)"),
                  format(alpha), format(f$thresh_used))
  paths <- c(paths, paste0("{",
    "\"alpha\": ", num(alpha), ", \"call\": ", str(call), ", ",
    "\"lambdas\": ", arr(f$lambda), ", ",
    "\"intercepts\": [", paste(vapply(sols, function(s) arr(s$a0), character(1)), collapse = ", "), "], ",
    "\"coefficients\": [", paste(vapply(sols, function(s) mat(s$b), character(1)), collapse = ", "), "], ",
    "\"dev_ratio\": ", arr(f$dev.ratio), "}"))
}

cv <- "null"
if (foldfile != "none") {
  foldid <- as.integer(readLines(foldfile))
  lambda <- default_path(1, TRUE, TRUE)
  for (thresh in THRESH_LADDER) {
    cvf <- suppressWarnings(cv.glmnet(x, y, family = "mgaussian", alpha = 1, lambda = lambda, foldid = foldid,
                                      type.measure = "mse", standardize = TRUE, intercept = TRUE,
                                      standardize.response = FALSE, thresh = thresh, maxit = MAXIT))
    if (cvf$glmnet.fit$jerr == 0) break
  }
  cv <- paste0("{",
    "\"call\": ", str(sprintf(paste0("cv.glmnet(x, y, family=\"mgaussian\", alpha=1, lambda=<default path>, foldid, type.measure=\"mse\", ",
                                     "standardize=TRUE, intercept=TRUE, standardize.response=FALSE, thresh=%s, maxit=1e8)"), format(thresh))), ", ",
    "\"lambdas\": ", arr(cvf$lambda), ", \"cvm\": ", arr(cvf$cvm), ", \"cvsd\": ", arr(cvf$cvsd), ", ",
    "\"nzero\": ", arr(cvf$nzero), ", \"lambda_min\": ", num(cvf$lambda.min), ", \"lambda_1se\": ", num(cvf$lambda.1se),
    ", \"foldid\": ", arr(foldid), "}")
}

rows <- vapply(seq_len(nrow(x)), function(i) arr(x[i, ]), character(1))
yrows <- vapply(seq_len(nrow(y)), function(i) arr(y[i, ]), character(1))
out <- paste0(
  "{\n",
  "\"R\": ", str(paste(R.version$major, R.version$minor, sep = ".")), ",\n",
  "\"glmnet\": ", str(packageDescription("glmnet")$Version), ",\n",
  "\"x\": [", paste(rows, collapse = ",\n"), "],\n",
  "\"y\": [", paste(yrows, collapse = ",\n"), "],\n",
  "\"cases\": [\n", paste(cases, collapse = ",\n"), "\n],\n",
  "\"paths\": [\n", paste(paths, collapse = ",\n"), "\n],\n",
  "\"cv\": ", cv, "\n",
  "}\n")
writeLines(out, outfile, useBytes = TRUE)

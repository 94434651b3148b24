# glmnet reference cases for the Shrink fixtures.
#
# Usage: Rscript tools/reference/glmnet_fixtures.R <data.csv> <out.json>
#
# <data.csv> has a header line; every column but the last is a feature, the
# last one is the response y.  Called by make_fixtures.py, one data set at a
# time.  Writes <out.json> (hand-written JSON, numbers as %.17g) holding:
#   - versions of R and glmnet,
#   - an echo of x and y as read (make_fixtures.py checks the parse was exact),
#   - one entry per (alpha, standardize, intercept, lambda) combination.
#
# Grid: alpha in {1, 0.5, 0} x standardize in {TRUE, FALSE} x
#       intercept in {TRUE, FALSE}, three lambdas each:
#   alpha 1 / 0.5 : c(0.5, 0.1, 0.02) * lambda_max, where lambda_max is the
#                   first lambda of glmnet's own default path for the same
#                   alpha/standardize/intercept;
#   alpha 0       : c(1, 0.1, 0.01) * lambda_max of the alpha = 1 default path
#                   (glmnet's default ridge path starts far too high).
# Every fit: family = "gaussian", maxit = 1e8, the smallest thresh of
# THRESH_LADDER that converges (recorded in "call"), with
# glmnet.control(fdev = 0, devmax = 1) so the path is never cut short.
# The solutions are recorded exactly as glmnet reports them (lambda on glmnet's
# scale, i.e. y is internally scaled by its sd: that is deliberate).

suppressPackageStartupMessages(library(glmnet))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript glmnet_fixtures.R <data.csv> <out.json>")
infile <- args[1]
outfile <- args[2]

d <- read.csv(infile, header = TRUE, colClasses = "numeric")
p <- ncol(d) - 1
x <- as.matrix(d[, seq_len(p), drop = FALSE])
colnames(x) <- NULL
y <- d[[p + 1]]

# Tried in turn; the first threshold at which glmnet converges (jerr == 0) for
# the whole lambda vector is used and recorded in "call".
THRESH_LADDER <- c(1e-30, 1e-24, 1e-20, 1e-16, 1e-14)
MAXIT <- 1e8
glmnet.control(fdev = 0, devmax = 1)

num <- function(v) {
  v <- as.numeric(v)
  if (any(!is.finite(v))) stop("non-finite number in output")
  s <- sprintf("%.17g", v)
  s
}
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
lgl <- function(b) if (b) "true" else "false"
fmtlam <- function(v) paste(sprintf("%.17g", v), collapse = ", ")

fit_one <- function(alpha, lambda, standardize, intercept) {
  for (thresh in THRESH_LADDER) {
    f <- suppressWarnings(
      glmnet(x, y, family = "gaussian", alpha = alpha, lambda = lambda,
             standardize = standardize, intercept = intercept,
             thresh = thresh, maxit = MAXIT))
    if (f$jerr == 0 && length(f$lambda) == length(lambda)) {
      f$thresh_used <- thresh
      return(f)
    }
  }
  stop(sprintf("glmnet did not converge: alpha=%g standardize=%s intercept=%s",
               alpha, standardize, intercept))
}

default_lmax <- function(alpha, standardize, intercept) {
  f <- glmnet(x, y, family = "gaussian", alpha = alpha,
              standardize = standardize, intercept = intercept)
  f$lambda[1]
}

cases <- character(0)
for (standardize in c(TRUE, FALSE)) {
  for (intercept in c(TRUE, FALSE)) {
    lmax1 <- default_lmax(1, standardize, intercept)
    for (alpha in c(1, 0.5, 0)) {
      if (alpha == 0) {
        factors <- c(1, 0.1, 0.01)
        lambda <- factors * lmax1
      } else {
        factors <- c(0.5, 0.1, 0.02)
        lambda <- factors * default_lmax(alpha, standardize, intercept)
      }
      f <- fit_one(alpha, lambda, standardize, intercept)
      cf <- as.matrix(coef(f))
      call <- sprintf(paste0("glmnet(x, y, family=\"gaussian\", alpha=%s, lambda=c(%s), ",
                             "standardize=%s, intercept=%s, thresh=%s, maxit=1e8) ",
                             "with glmnet.control(fdev=0, devmax=1)"),
                      format(alpha), fmtlam(lambda), standardize, intercept,
                      format(f$thresh_used))
      for (k in seq_along(lambda)) {
        cases <- c(cases, paste0(
          "{",
          "\"alpha\": ", num(alpha), ", ",
          "\"factor\": ", num(factors[k]), ", ",
          "\"index\": ", k, ", ",
          "\"lambda\": ", num(f$lambda[k]), ", ",
          "\"lambda_requested\": ", num(lambda[k]), ", ",
          "\"standardize\": ", lgl(standardize), ", ",
          "\"intercept\": ", lgl(intercept), ", ",
          "\"npasses\": ", f$npasses, ", ",
          "\"call\": ", str(call), ", ",
          "\"a0\": ", num(cf[1, k]), ", ",
          "\"beta\": ", arr(cf[-1, k]),
          "}"))
      }
    }
  }
}

rows <- vapply(seq_len(nrow(x)), function(i) arr(x[i, ]), character(1))
out <- paste0(
  "{\n",
  "\"R\": ", str(paste(R.version$major, R.version$minor, sep = ".")), ",\n",
  "\"glmnet\": ", str(packageDescription("glmnet")$Version), ",\n",
  "\"x\": [", paste(rows, collapse = ",\n"), "],\n",
  "\"y\": ", arr(y), ",\n",
  "\"cases\": [\n", paste(cases, collapse = ",\n"), "\n]\n",
  "}\n")
writeLines(out, outfile, useBytes = TRUE)

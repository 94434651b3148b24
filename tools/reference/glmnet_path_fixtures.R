# glmnet paths and cv.glmnet runs for the Shrink path/CV fixtures.
#
# Usage: Rscript tools/reference/glmnet_path_fixtures.R <data.csv> <foldid.txt|none> <out.json>
#
# <data.csv> has a header line; every column but the last is a feature, the
# last one is the response y.  <foldid.txt> holds one integer fold id (1..K)
# per row of the data, or is the word "none" (then no cross-validation is run).
# Called by make_path_fixtures.py, one data set at a time.  Writes <out.json>
# (hand-written JSON, numbers as %.17g, so jsonlite is not needed) holding:
#   - versions of R and glmnet, the glmnet.control() settings in force,
#   - an echo of x and y as read (make_path_fixtures.py checks the parse),
#   - "paths": glmnet's own default path (nlambda = 100, default
#     lambda.min.ratio) for alpha in {1, 0.5} x standardize in {TRUE, FALSE},
#     intercept = TRUE,
#   - "cv" (only with a foldid file): cv.glmnet with that foldid for
#     (alpha 1, "mse"), (alpha 1, "mae"), (alpha 0.5, "mse"), standardize = TRUE,
#     intercept = TRUE, lambda = the full-data default path of the same alpha,
#     keep = TRUE.  Besides cv.glmnet's own output, each run carries its
#     fit.preval matrix and, for the same folds refitted here, the predictions
#     at the fold fit's own lambda columns (no interpolation); the Python
#     script uses both only for its self-check, they do not go in a fixture.
#
# Every fit: family = "gaussian", maxit = 1e8, the smallest thresh of
# THRESH_LADDER for which glmnet converges at every lambda (for CV: in every
# fold), with glmnet.control(fdev = 0, devmax = 1) so that no path is cut short.

suppressPackageStartupMessages(library(glmnet))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3) stop("usage: Rscript glmnet_path_fixtures.R <data.csv> <foldid.txt|none> <out.json>")
infile <- args[1]
foldfile <- args[2]
outfile <- args[3]

d <- read.csv(infile, header = TRUE, colClasses = "numeric")
p <- ncol(d) - 1
x <- as.matrix(d[, seq_len(p), drop = FALSE])
colnames(x) <- NULL
y <- d[[p + 1]]
n <- nrow(x)

THRESH_LADDER <- c(1e-30, 1e-24, 1e-20, 1e-16, 1e-14)
MAXIT <- 1e8
NLAMBDA <- 100
glmnet.control(fdev = 0, devmax = 1)
ctrl <- glmnet.control()
# glmnet's default, written out so that it can be recorded.
LMR <- if (n < p) 0.01 else 1e-4

num <- function(v) {
  v <- as.numeric(v)
  if (any(!is.finite(v))) stop("non-finite number in output")
  sprintf("%.17g", v)
}
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
iarr <- function(v) paste0("[", paste(as.integer(v), collapse = ", "), "]")
mat <- function(m) paste0("[", paste(vapply(seq_len(nrow(m)), function(i) arr(m[i, ]), character(1)),
                                     collapse = ",\n"), "]")
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
lgl <- function(b) if (b) "true" else "false"

# Run expr(thresh) down the ladder; the first run with no warning and
# ok(result) TRUE wins.
ladder <- function(expr, ok) {
  for (thresh in THRESH_LADDER) {
    warned <- FALSE
    res <- withCallingHandlers(expr(thresh),
                               warning = function(w) { warned <<- TRUE; invokeRestart("muffleWarning") })
    if (!warned && ok(res)) return(list(fit = res, thresh = thresh))
  }
  stop("glmnet did not converge at any thresh of the ladder")
}

paths <- character(0)
full <- list()
for (alpha in c(1, 0.5)) {
  for (standardize in c(TRUE, FALSE)) {
    r <- ladder(function(th) glmnet(x, y, family = "gaussian", alpha = alpha,
                                    standardize = standardize, intercept = TRUE,
                                    thresh = th, maxit = MAXIT),
                function(f) f$jerr == 0 && length(f$lambda) == NLAMBDA)
    f <- r$fit
    if (standardize) full[[as.character(alpha)]] <- f
    cf <- as.matrix(coef(f))
    call <- sprintf(paste0("glmnet(x, y, family=\"gaussian\", alpha=%s, standardize=%s, ",
                           "intercept=TRUE, thresh=%s, maxit=1e8) with glmnet.control(fdev=0, devmax=1); ",
                           "default nlambda=100 and lambda.min.ratio=%s (ifelse(n < p, 0.01, 1e-4))"),
                    format(alpha), standardize, format(r$thresh), format(LMR))
    paths <- c(paths, paste0(
      "{",
      "\"alpha\": ", num(alpha), ",\n",
      "\"standardize\": ", lgl(standardize), ",\n",
      "\"thresh\": ", num(r$thresh), ",\n",
      "\"lambda_min_ratio\": ", num(LMR), ",\n",
      "\"call\": ", str(call), ",\n",
      "\"npasses\": ", f$npasses, ",\n",
      "\"nulldev\": ", num(f$nulldev), ",\n",
      "\"lambda\": ", arr(f$lambda), ",\n",
      "\"dev_ratio\": ", arr(f$dev.ratio), ",\n",
      "\"a0\": ", arr(cf[1, ]), ",\n",
      "\"beta\": ", mat(t(cf[-1, , drop = FALSE])),
      "}"))
  }
}

cvs <- character(0)
if (foldfile != "none") {
  foldid <- as.integer(readLines(foldfile))
  if (length(foldid) != n) stop("foldid has the wrong length")
  K <- max(foldid)
  runs <- list(list(alpha = 1, type = "mse"), list(alpha = 1, type = "mae"),
               list(alpha = 0.5, type = "mse"))
  for (run in runs) {
    alpha <- run$alpha
    lambda <- full[[as.character(alpha)]]$lambda
    r <- ladder(function(th) cv.glmnet(x, y, family = "gaussian", alpha = alpha,
                                       lambda = lambda, foldid = foldid,
                                       type.measure = run$type, standardize = TRUE,
                                       intercept = TRUE, thresh = th, maxit = MAXIT,
                                       keep = TRUE),
                function(cv) cv$glmnet.fit$jerr == 0 && length(cv$lambda) == length(lambda))
    cv <- r$fit
    # The same fold fits again, predicted at their own lambda columns (no
    # interpolation by predict(s = )); also checks that every fold converged.
    exact <- matrix(NA_real_, n, length(lambda))
    for (k in seq_len(K)) {
      w <- foldid == k
      fk <- suppressWarnings(glmnet(x[!w, , drop = FALSE], y[!w], family = "gaussian",
                                    alpha = alpha, lambda = lambda, standardize = TRUE,
                                    intercept = TRUE, thresh = r$thresh, maxit = MAXIT))
      if (fk$jerr != 0 || length(fk$lambda) != length(lambda)) stop("fold fit did not converge")
      exact[w, ] <- predict(fk, x[w, , drop = FALSE])
    }
    call <- sprintf(paste0("cv.glmnet(x, y, family=\"gaussian\", alpha=%s, lambda=<the %d lambdas>, ",
                           "foldid=<foldid>, type.measure=\"%s\", standardize=TRUE, intercept=TRUE, ",
                           "thresh=%s, maxit=1e8, keep=TRUE) with glmnet.control(fdev=0, devmax=1)"),
                    format(alpha), length(lambda), run$type, format(r$thresh))
    cvs <- c(cvs, paste0(
      "{",
      "\"alpha\": ", num(alpha), ",\n",
      "\"type_measure\": ", str(run$type), ",\n",
      "\"measure_name\": ", str(unname(cv$name)), ",\n",
      "\"thresh\": ", num(r$thresh), ",\n",
      "\"call\": ", str(call), ",\n",
      "\"lambda\": ", arr(cv$lambda), ",\n",
      "\"cvm\": ", arr(cv$cvm), ",\n",
      "\"cvsd\": ", arr(cv$cvsd), ",\n",
      "\"cvup\": ", arr(cv$cvup), ",\n",
      "\"cvlo\": ", arr(cv$cvlo), ",\n",
      "\"nzero\": ", iarr(cv$nzero), ",\n",
      "\"lambda_min\": ", num(cv$lambda.min), ",\n",
      "\"lambda_1se\": ", num(cv$lambda.1se), ",\n",
      "\"index_min\": ", cv$index[1], ",\n",
      "\"index_1se\": ", cv$index[2], ",\n",
      "\"foldid\": ", iarr(cv$foldid), ",\n",
      "\"fit_preval\": ", mat(cv$fit.preval), ",\n",
      "\"pred_exact\": ", mat(exact),
      "}"))
  }
}

rows <- vapply(seq_len(n), function(i) arr(x[i, ]), character(1))
out <- paste0(
  "{\n",
  "\"R\": ", str(paste(R.version$major, R.version$minor, sep = ".")), ",\n",
  "\"glmnet\": ", str(packageDescription("glmnet")$Version), ",\n",
  "\"control\": {\"fdev\": ", num(ctrl$fdev), ", \"devmax\": ", num(ctrl$devmax),
  ", \"eps\": ", num(ctrl$eps), ", \"mnlam\": ", ctrl$mnlam, "},\n",
  "\"n\": ", n, ",\n\"p\": ", p, ",\n",
  "\"x\": [", paste(rows, collapse = ",\n"), "],\n",
  "\"y\": ", arr(y), ",\n",
  "\"paths\": [\n", paste(paths, collapse = ",\n"), "\n],\n",
  "\"cv\": [\n", paste(cvs, collapse = ",\n"), "\n]\n",
  "}\n")
writeLines(out, outfile, useBytes = TRUE)

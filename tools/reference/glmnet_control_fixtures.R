# glmnet runs for the Shrink "controls" fixtures (weights, offsets, penalty
# factors, exclude, coefficient limits, dfmax/pmax, relaxed lasso).
#
# Usage: Rscript tools/reference/glmnet_control_fixtures.R <spec.R> <out.json>
#
# <spec.R> is written by make_control_fixtures.py. Sourcing it defines
#   x (n x p matrix), y, w (observation weights), o (offset), foldid (1-based),
#   specs: a list of runs, each a list with
#     id        string
#     kind      "fit" | "path" | "relax" | "cv-relax"
#     template  the R call, with the placeholders THRESH (always) and
#               LAMBDA (kinds fit, relax, cv-relax)
#     lmax_call (kinds with LAMBDA) a glmnet call whose lambda path gives LAMBDA:
#               lam_mode "factors": LAMBDA = factors * (first lambda of that path)
#               lam_mode "path":    LAMBDA = that whole path
#     gammas    (relax) the gammas passed to coef(fit, s = lambda, gamma = g)
#     expect_warning TRUE when glmnet is expected to warn (pmax runs)
# Every call is evaluated exactly as recorded (eval(parse(text = call))), so
# the "call" strings in the fixtures are the calls that were run.
#
# THRESH is the first value of THRESH_LADDER at which the run gives no warning
# and jerr == 0 (for expect_warning runs: the expected jerr). maxit is in the
# template (1e7). glmnet.control(fdev = 0, devmax = 1): no path is cut short
# by the deviance rules (dfmax and pmax still cut it, that is what we record).
#
# Writes <out.json> by hand (%.17g; jsonlite is not needed).

suppressPackageStartupMessages(library(glmnet))

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript glmnet_control_fixtures.R <spec.R> <out.json>")
source(args[1])
outfile <- args[2]
n <- nrow(x)
p <- ncol(x)

THRESH_LADDER <- c(1e-30, 1e-24, 1e-20, 1e-16, 1e-14)
glmnet.control(fdev = 0, devmax = 1)

num <- function(v) {
  v <- as.numeric(v)
  if (any(!is.finite(v))) stop("non-finite number in output")
  sprintf("%.17g", v)
}
arr <- function(v) paste0("[", paste(num(v), collapse = ", "), "]")
iarr <- function(v) paste0("[", paste(as.integer(v), collapse = ", "), "]")
# columns of m as JSON arrays (m is p x L for coefficients: one array per lambda)
cols <- function(m) {
  m <- as.matrix(m)
  paste0("[", paste(vapply(seq_len(ncol(m)), function(k) arr(m[, k]), character(1)),
                    collapse = ",\n "), "]")
}
rows <- function(m) cols(t(as.matrix(m)))
str <- function(s) paste0("\"", gsub("\"", "\\\\\"", s), "\"")
strs <- function(v) paste0("[", paste(vapply(v, str, character(1)), collapse = ", "), "]")
fmt <- function(v) if (length(v) == 1) sprintf("%.17g", v) else
  paste0("c(", paste(sprintf("%.17g", v), collapse = ", "), ")")

# Evaluate a call string, collecting warnings.
run_call <- function(call) {
  msgs <- character(0)
  res <- withCallingHandlers(eval(parse(text = call)),
                             warning = function(w) {
                               msgs <<- c(msgs, conditionMessage(w))
                               invokeRestart("muffleWarning")
                             })
  list(res = res, warnings = msgs)
}

jerr_of <- function(res) {
  if (inherits(res, "cv.glmnet")) res$glmnet.fit$jerr else res$jerr
}

one <- function(s) {
  call0 <- s$template
  if (grepl("LAMBDA", call0, fixed = TRUE)) {
    lf <- run_call(s$lmax_call)$res
    lambda <- if (s$lam_mode == "factors") s$factors * lf$lambda[1] else lf$lambda
    call0 <- sub("LAMBDA", fmt(lambda), call0, fixed = TRUE)
  }
  for (th in THRESH_LADDER) {
    call <- sub("THRESH", format(th), call0, fixed = TRUE)
    r <- run_call(call)
    je <- jerr_of(r$res)
    good <- if (isTRUE(s$expect_warning)) length(r$warnings) > 0 && je < -10000
            else length(r$warnings) == 0 && je == 0
    if (good) return(list(fit = r$res, call = call, thresh = th, warnings = r$warnings))
  }
  stop(paste("no thresh of the ladder worked for", s$id))
}

coefs <- function(f, s = NULL, gamma = NULL) {
  cf <- if (is.null(gamma)) coef(f, s = s) else coef(f, s = s, gamma = gamma)
  as.matrix(cf)
}

out_runs <- character(0)
for (s in specs) {
  r <- one(s)
  f <- r$fit
  head <- paste0("\"id\": ", str(s$id), ", \"kind\": ", str(s$kind), ", \"call\": ", str(r$call),
                 ", \"thresh\": ", num(r$thresh), ", \"warnings\": ", strs(r$warnings))
  body <- ""
  if (s$kind %in% c("fit", "path")) {
    body <- paste0(", \"lambda\": ", arr(f$lambda), ", \"a0\": ", arr(f$a0),
                   ",\n\"beta\": ", cols(f$beta), ", \"df\": ", iarr(f$df),
                   ", \"jerr\": ", f$jerr, ", \"npasses\": ", f$npasses)
  } else if (s$kind == "relax") {
    # lasso fit, the pure relaxed refits (fit$relaxed: one column per lambda
    # whose active set had <= n - 3 features), and the blends of coef(gamma).
    blends <- character(0)
    for (g in s$gammas) {
      cf <- coefs(f, s = f$lambda, gamma = g)
      blends <- c(blends, paste0("{\"gamma\": ", num(g), ", \"a0\": ", arr(cf[1, ]),
                                 ",\n\"beta\": ", cols(cf[-1, , drop = FALSE]), "}"))
    }
    body <- paste0(", \"lambda\": ", arr(f$lambda), ", \"a0\": ", arr(f$a0),
                   ",\n\"beta\": ", cols(f$beta), ", \"df\": ", iarr(f$df),
                   ",\n\"relaxed_lambda\": ", arr(f$relaxed$lambda),
                   ", \"relaxed_a0\": ", arr(f$relaxed$a0),
                   ",\n\"relaxed_beta\": ", cols(f$relaxed$beta),
                   ",\n\"blends\": [", paste(blends, collapse = ",\n"), "]")
  } else if (s$kind == "cv-relax") {
    rl <- f$relaxed
    st <- rl$statlist
    pv <- character(0)
    for (k in seq_along(f$fit.preval)) pv <- c(pv, rows(f$fit.preval[[k]]))
    idx <- rl$index
    body <- paste0(", \"lambda\": ", arr(f$lambda), ", \"gammas\": ", arr(rl$gamma),
                   ",\n\"cvm\": ", rows(do.call(rbind, lapply(st, `[[`, "cvm"))),
                   ",\n\"cvsd\": ", rows(do.call(rbind, lapply(st, `[[`, "cvsd"))),
                   ",\n\"nzero\": ", iarr(f$nzero),
                   ", \"lambda_min\": ", num(rl$lambda.min), ", \"gamma_min\": ", num(rl$gamma.min),
                   ", \"lambda_1se\": ", num(rl$lambda.1se), ", \"gamma_1se\": ", num(rl$gamma.1se),
                   ", \"index_min\": ", iarr(idx["min", ]), ", \"index_1se\": ", iarr(idx["1se", ]),
                   ",\n\"plain_cvm\": ", arr(f$cvm), ", \"plain_cvsd\": ", arr(f$cvsd),
                   ", \"plain_lambda_min\": ", num(f$lambda.min), ", \"plain_lambda_1se\": ", num(f$lambda.1se),
                   ",\n\"preval_gammas\": ", arr(as.numeric(sub("g:", "", names(f$fit.preval)))),
                   ",\n\"preval\": [", paste(pv, collapse = ",\n"), "]")
  }
  out_runs <- c(out_runs, paste0("{", head, body, "}"))
  cat(sprintf("  %-34s thresh %-6s %s\n", s$id, format(r$thresh),
              if (length(r$warnings)) paste("warning:", r$warnings[1]) else ""))
}

out <- paste0(
  "{\n",
  "\"R\": ", str(paste(R.version$major, R.version$minor, sep = ".")), ",\n",
  "\"glmnet\": ", str(packageDescription("glmnet")$Version), ",\n",
  "\"x\": ", rows(x), ",\n",
  "\"y\": ", arr(y), ",\n",
  "\"w\": ", arr(w), ",\n",
  "\"o\": ", arr(o), ",\n",
  "\"runs\": [\n", paste(out_runs, collapse = ",\n"), "\n]\n",
  "}\n")
writeLines(out, outfile, useBytes = TRUE)

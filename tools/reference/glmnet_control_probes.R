# Probes: what glmnet 4.1-6 (gaussian) refuses, warns about or silently accepts
# among the controls of the "controls" fixtures. Prints one line per probe.
# Run by make_control_fixtures.py (its output goes into the report), or alone:
#   Rscript tools/reference/glmnet_control_probes.R
suppressPackageStartupMessages(library(glmnet))
set.seed(20241106); n <- 40; p <- 5
x <- matrix(rnorm(n*p), n); y <- drop(x %*% c(1,-1,0.5,0,0) + rnorm(n))
try1 <- function(label, expr) {
  msgs <- character(0)
  r <- tryCatch(withCallingHandlers(expr, warning=function(w){msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning")}),
                error=function(e) paste("ERROR:", conditionMessage(e)))
  res <- if (is.character(r)) r else if (inherits(r,"glmnet")) sprintf("ok, %d lambdas, jerr %d, df max %d", length(r$lambda), r$jerr, max(r$df)) else "ok"
  cat(sprintf("%-40s %s %s\n", label, res, if (length(msgs)) paste("| WARNING:", paste(msgs, collapse="; ")) else ""))
}
try1("negative weight", glmnet(x, y, weights=c(-1, rep(1, n-1))))
try1("all weights zero", glmnet(x, y, weights=rep(0, n)))
try1("lower.limits > 0", glmnet(x, y, lower.limits=0.1))
try1("upper.limits < 0", glmnet(x, y, upper.limits=-0.1))
try1("lower=upper=0 for x1", glmnet(x, y, lower.limits=c(0,-Inf,-Inf,-Inf,-Inf), upper.limits=c(0,Inf,Inf,Inf,Inf)))
try1("all penalty factors 0", glmnet(x, y, penalty.factor=rep(0,p)))
try1("negative penalty factor", glmnet(x, y, penalty.factor=c(-1,1,1,1,1)))
try1("dfmax = 0", glmnet(x, y, dfmax=0))
try1("exclude all", glmnet(x, y, exclude=1:p))
try1("exclude out of range", glmnet(x, y, exclude=p+1))
try1("pmax = 2", glmnet(x, y, pmax=2))
try1("offset wrong length", glmnet(x, y, offset=rep(0, n-1)))
try1("relax gamma=1.5 in coef", coef(glmnet(x, y, relax=TRUE), s=0.1, gamma=1.5))
try1("alpha=0 with lower limits", glmnet(x, y, alpha=0, lower.limits=0))
try1("weights zero for all but 2 rows", glmnet(x, y, weights=c(1,1,rep(0,n-2))))
try1("constant y", glmnet(x, rep(1, n)))
try1("weights all multiplied by 10", {
  f1 <- glmnet(x, y, weights=1:n, thresh=1e-20); f2 <- glmnet(x, y, weights=10*(1:n), thresh=1e-20)
  if (max(abs(f1$lambda - f2$lambda)) > 1e-12 * f1$lambda[1] || max(abs(f1$beta - f2$beta)) > 1e-12) stop("fits differ")
  invisible(NULL)
})

"""统计汇总 for a finance bureau: per-unit progress, grade and score charts, the 汇总表 export
and 抽查 (a recorded random sample of accepted evaluations for re-check)."""

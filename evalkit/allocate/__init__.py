"""Splitting a fund among ranked projects: the provably best split under the
contest's rules, greedy and proportional rules, the Method of Equal Shares, and a
reason in words for every project not fully funded.

    alloc = ek.allocate(ranking.projects.join(contest.projects), budget=260_000,
                        rule="optimal", category="category", category_min_share=0.1,
                        organisation="organisation", org_cap=60_000)
    alloc.table          # project, score, requested, funded, amount, fraction, reason_zh, reason_en, rank
"""
from .core import RULES, Allocation, allocate

__all__ = ["allocate", "Allocation", "RULES"]

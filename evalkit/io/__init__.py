"""Readers and writers: CSV text in Chinese encodings, a contest's scores CSV, pabulib, Excel workbooks,
contest collections."""
from .csvtext import decode_text, read_csv_text
from .pabulib import read_pabulib
from .scores import read_scores_csv
from .excel import read_score_workbook
from .contests import read_contests

__all__ = ["decode_text", "read_csv_text", "read_scores_csv", "read_pabulib", "read_score_workbook", "read_contests"]

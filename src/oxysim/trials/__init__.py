"""Virtual clinical trials: specification, design, execution, analysis and report (research use only)."""

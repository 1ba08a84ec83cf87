"""Parameter estimation against published findings: problems as data, pyPESTO fits, profile likelihoods,
fit records whose values the model's defaults must equal, and a PEtab export of each problem."""

"""Virtual patients: subtype profiles and inter-individual variability."""

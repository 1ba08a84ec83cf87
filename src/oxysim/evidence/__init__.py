"""Evidence: the review's claims, what implements them and which tests check them."""

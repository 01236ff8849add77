"""Link discovery: find the resources of another dataset that are the same as micgraph's, score them, and
write the sure ones as a linkset and the unsure ones as a review sheet for a person.

- `labels`: how labels are normalised, transliterated, tokenised and compared.
- `discover`: reading both sides, blocking, evidence, scoring and the one-to-one assignment.
- `linkset`: the Turtle linkset and the review CSV, and turning a reviewed CSV into links.

docs/linking.md explains the method and gives its measured precision and recall.
"""

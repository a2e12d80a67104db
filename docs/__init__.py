"""The user guides, shipped inside the package as xlbilling.docs (pyproject's
package-dir maps docs/ here) so `xlbilling help TOPIC` prints them on any
install and every message can point at a guide the user has."""

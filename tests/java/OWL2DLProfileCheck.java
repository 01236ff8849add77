// Checks an RDF document against the OWL 2 DL profile with the OWL API (OWL2DLProfile), and reports
// the violations. Used by tests/test_owl_profile.py, which compiles it against Debian's libowlapi-java.
//
// Usage: java -cp <owlapi classpath>:<dir> OWL2DLProfileCheck FILE
// Output: "violations N" on the first line, then one line per violation: "<kind>\t<description>".
// Exit status 0 when the check ran (whatever it found), 2 when the document could not be loaded.

import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileReport;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;

public final class OWL2DLProfileCheck {
    public static void main(String[] args) {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology;
        try {
            ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        } catch (OWLOntologyCreationException e) {
            System.err.println(args[0] + ": " + e.getMessage().split("\n")[0]);
            System.exit(2);
            return;
        }
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        System.out.println("violations " + report.getViolations().size());
        for (OWLProfileViolation violation : report.getViolations()) {
            String line = violation.toString().replace('\n', ' ');
            System.out.println(violation.getClass().getSimpleName() + "\t" + line);
        }
    }
}

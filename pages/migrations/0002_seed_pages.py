"""First content of the information pages; administrators edit it in /admin/ afterwards."""

from django.db import migrations

PAGES = [
    (
        "a-propos",
        "À propos",
        "Essaimage, le catalogue ouvert des actions des centres sociaux et espaces de vie sociale.",
        """<p>Chaque année, les centres sociaux et les espaces de vie sociale décrivent certaines de leurs actions dans des « fiches actions », pour que d'autres puissent reprendre ce qui marche. Essaimage prend la suite du catalogue SENACS « Les actions des centres sociaux » et en reprend les fiches.</p>
<h2>Ce que vous y trouvez</h2>
<ul>
<li>une recherche en français (« parentalité », « aide aux devoirs », « fracture numérique »…) et des filtres par département, mot clé, public, partenaire ;</li>
<li>une page par fiche, à imprimer ou à télécharger en PDF ;</li>
<li>les fiches d'une structure ou d'un département, des statistiques et une carte ;</li>
<li>des données ouvertes : exports CSV, Excel, JSON, flux Atom et une API documentée.</li>
</ul>
<h2>Qui écrit les fiches</h2>
<p>Les structures écrivent leurs fiches ; les fédérations départementales des centres sociaux et les correspondants des Caf les relisent avant publication.</p>""",
    ),
    (
        "publier-vos-actions",
        "Publier les actions de votre centre",
        "Comment une structure rejoint Essaimage et publie ses fiches actions.",
        """<ol>
<li><strong>Créez un compte</strong> avec l'adresse de courriel que vous utilisez au travail (lien « Se connecter », puis « Créer un compte »).</li>
<li><strong>Demandez à rejoindre votre structure</strong> : cherchez-la par son nom ou sa commune. Ses membres ou votre fédération départementale acceptent la demande ; vous recevez un courriel.</li>
<li><strong>Écrivez une fiche</strong> depuis « Mon espace ». Les rubriques sont celles de SENACS. Vous pouvez enregistrer un brouillon, y revenir, joindre des fichiers (PDF, photos) ; l'indicateur de remplissage montre les rubriques encore vides.</li>
<li><strong>Envoyez-la en relecture</strong>. Votre fédération la relit : elle la publie ou vous la renvoie avec un commentaire.</li>
<li><strong>Complétez les coordonnées de la structure</strong> (adresse, téléphone, courriel d'accueil, site) : elles s'affichent dans le bloc « Contacter la structure » de vos fiches.</li>
</ol>
<p>Votre structure n'apparaît pas ? Les fiches reprises de SENACS ont créé les structures qui en avaient ; pour une autre, écrivez-nous (page Contact) ou passez par votre fédération.</p>""",
    ),
    (
        "contact",
        "Contact",
        "Une question sur le catalogue, une fiche à corriger, une structure à ajouter.",
        """<ul>
<li><strong>Une fiche contient une erreur</strong> : la structure qui l'a écrite peut la corriger depuis « Mon espace » ; sinon, écrivez-nous en donnant l'adresse de la fiche.</li>
<li><strong>Vous voulez publier les actions de votre centre</strong> : voir la page « Publier les actions de votre centre ».</li>
<li><strong>Une question sur les données ou l'API</strong> : la documentation de l'API décrit chaque champ.</li>
</ul>""",
    ),
    (
        "mentions-legales",
        "Mentions légales",
        "",
        """<h2>Éditeur</h2>
<p>Le site est édité par la structure qui l'exploite ; l'administrateur du site complète ici son nom, son adresse, son numéro d'immatriculation et le nom du directeur ou de la directrice de la publication.</p>
<h2>Hébergement</h2>
<p>L'administrateur du site indique ici le nom, l'adresse et le téléphone de l'hébergeur.</p>
<h2>Contenus</h2>
<p>Les fiches actions sont écrites par les structures qui les publient, relues par leur fédération. Elles sont diffusées comme données ouvertes : vous pouvez les reprendre en citant la structure et Essaimage.</p>
<h2>Code source</h2>
<p>Essaimage est un logiciel libre.</p>""",
    ),
    (
        "accessibilite",
        "Déclaration d'accessibilité",
        "État de conformité au référentiel général d'amélioration de l'accessibilité (RGAA 4.1).",
        """<h2>État de conformité</h2>
<p><strong>Essaimage est partiellement conforme au RGAA 4.1.</strong> Aucun audit complet n'a encore été mené par un organisme indépendant.</p>
<h2>Résultats des tests</h2>
<p>À chaque modification du logiciel, des tests automatiques ouvrent le site dans un navigateur et l'analysent avec axe-core (règles WCAG 2.1 A et AA) : page d'accueil, catalogue avec recherche et filtres, fiche action sur ordinateur (1280 pixels) et sur téléphone (360 pixels), pages de contribution et de relecture. Ils ne relèvent aucune erreur ; les filtres du catalogue s'utilisent entièrement au clavier et toutes les pages fonctionnent sans JavaScript.</p>
<p>Les tests automatiques ne repèrent qu'une partie des problèmes : la pertinence des textes de remplacement, l'ordre de lecture avec un lecteur d'écran ou la compréhension des messages demandent un audit humain.</p>
<h2>Contenus non accessibles</h2>
<ul>
<li>Les fichiers joints aux fiches (PDF, images) sont fournis par les structures et ne sont pas toujours accessibles.</li>
<li>Les fiches reprises de SENACS gardent leur mise en forme d'origine (tableaux aplatis en lignes).</li>
</ul>
<h2>Établissement de cette déclaration</h2>
<p>Technologies utilisées : HTML, CSS, JavaScript facultatif. Environnement de test : Chromium (Debian) avec axe-core, navigation au clavier.</p>
<h2>Voies de recours</h2>
<p>Si vous signalez un défaut d'accessibilité et n'obtenez pas de réponse satisfaisante, vous pouvez écrire au Défenseur des droits (formulaire en ligne sur defenseurdesdroits.fr, ou Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07) ou contacter son délégué dans votre région.</p>""",
    ),
    (
        "donnees-personnelles",
        "Données personnelles",
        "Ce que le site garde sur les personnes qui y contribuent, pourquoi, et comment le faire effacer.",
        """<h2>Visiteurs</h2>
<p>Lire le catalogue ne demande pas de compte. Le site ne dépose aucun cookie de mesure d'audience ni de publicité ; il garde dans ses journaux techniques l'adresse IP et la page demandée, pour sa sécurité, quelques semaines au plus.</p>
<h2>Contributeurs et relecteurs</h2>
<ul>
<li><strong>Ce qui est gardé</strong> : votre adresse de courriel, vos prénom et nom s'ils sont donnés, vos structures, votre territoire de relecture, et l'historique de vos modifications (qui, quand, quels champs).</li>
<li><strong>Pourquoi</strong> : vous connecter, vous prévenir par courriel des décisions sur vos fiches, et garder la trace de qui a publié quoi.</li>
<li><strong>Ce qui est public</strong> : rien de personnel. Les fiches affichent la structure, jamais le nom ou le courriel de la personne qui les a écrites. Les coordonnées d'une structure ne sont publiées que si ses membres les donnent pour cela.</li>
<li><strong>Durée</strong> : tant que votre compte existe. Les fiches publiées restent, rattachées à la structure.</li>
</ul>
<h2>Vos droits</h2>
<p>Vous pouvez demander à consulter, corriger ou effacer vos données, ou la suppression de votre compte, en écrivant à l'adresse ci-dessous depuis l'adresse de votre compte. L'historique des fiches garde alors la mention « compte supprimé ». Vous pouvez aussi saisir la CNIL (cnil.fr).</p>""",
    ),
]


def seed(apps, schema_editor):
    Page = apps.get_model("pages", "Page")
    for slug, title, summary, body in PAGES:
        Page.objects.get_or_create(
            slug=slug, defaults={"title": title, "summary": summary, "body": body}
        )


def unseed(apps, schema_editor):
    apps.get_model("pages", "Page").objects.filter(slug__in=[p[0] for p in PAGES]).delete()


class Migration(migrations.Migration):
    dependencies = [("pages", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]

/* test_extract.c — the extractor on hand-written sentences (each cue family in English,
 * French and Spanish, the look-alikes, every field, lead-ins and lists) and on the
 * seed statement, whose gold recommendations must come out with exact spans. */
#include <stdlib.h>
#include <string.h>

#include "extract.h"
#include "testutil.h"

static rw_lexicon_t *lexicon;

/* Clean text made from plain text: every byte maps to itself. */
static rw_text_t *plain_text(const char *text)
{
    rw_text_t *t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    t->length = strlen(text);
    t->data = strdup(text);
    /* one piece for the text, one for its end (see text.h) */
    t->pieces = calloc(2, sizeof *t->pieces);
    ck_assert(t->data && t->pieces);
    t->pieces[0] = (rw_text_piece_t){ 0, 0, 1, 1 };
    t->pieces[1] = (rw_text_piece_t){ t->length, (uint32_t)t->length, 0, 0 };
    t->piece_count = 2;
    t->original_size = t->length;
    t->format = "text";
    t->encoding = "utf-8";
    return t;
}

static rw_document_t *extract(const char *text, double min_confidence)
{
    rw_text_t *t = plain_text(text);
    rw_extract_options_t options = { min_confidence };
    rw_document_t *doc = NULL;
    ck_assert_int_eq(rw_extract(lexicon, t, &options, &doc), 0);
    ck_assert_ptr_nonnull(doc);
    rw_text_destroy(&t);
    return doc;
}

/* The one recommendation of text (fails unless there is exactly one). */
static rw_document_t *one(const char *text)
{
    rw_document_t *doc = extract(text, 0.5);
    ck_assert_msg(doc->count == 1, "%zu recommendations in: %s", doc->count, text);
    return doc;
}

static void none(const char *text)
{
    rw_document_t *doc = extract(text, 0.5);
    ck_assert_msg(doc->count == 0, "recommendation found in: %s (%s)", text,
                  doc->count ? doc->recommendations[0].text : "");
    rw_document_destroy(&doc);
}

static bool has_cue(const rw_recommendation_t *rec, const char *cue)
{
    return rw_strings_contains(&rec->cues, cue);
}

static bool starts_with(const char *text, const char *prefix)
{
    return text && strncmp(text, prefix, strlen(prefix)) == 0;
}

START_TEST(performative_fields)
{
    rw_document_t *doc = one("I urge the Government to ratify the Convention against Torture.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->text, "I urge the Government to ratify the Convention against Torture.");
    ck_assert_str_eq(rec->addressee, "the Government");
    ck_assert_str_eq(rec->action, "ratify the Convention against Torture");
    ck_assert_int_eq(rec->category, 5);
    ck_assert_str_eq(rec->strength, "strong");
    ck_assert(rec->confidence >= 0.9 && rec->confidence <= 1.0);
    ck_assert(has_cue(rec, "urge"));
    ck_assert_uint_eq(rec->start, 0);
    ck_assert_uint_eq(rec->span_end, strlen(rec->text));
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(performative_that_clause)
{
    rw_document_t *doc = one("As a result, I have recommended to the Government that the only way "
                             "to answer these questions is to authorize an independent "
                             "international investigation into the events.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->addressee, "the Government");
    ck_assert(starts_with(rec->action, "authorize an independent international investigation"));
    ck_assert_int_eq(rec->category, 5);
    ck_assert(has_cue(rec, "recommended to"));
    ck_assert(rec->confidence >= 0.9);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(reported_calls)
{
    rw_document_t *doc = one("Human Rights Watch urged the government to release all detainees.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "the government");
    ck_assert_str_eq(doc->recommendations[0].action, "release all detainees");
    rw_document_destroy(&doc);
    doc = one("Sweden recommended that Iran abolish the death penalty.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "Iran");
    ck_assert_str_eq(doc->recommendations[0].action, "abolish the death penalty");
    ck_assert_int_eq(doc->recommendations[0].category, 5);
    rw_document_destroy(&doc);
    doc = one("The experts called on the authorities to suspend the operation.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "the authorities");
    rw_document_destroy(&doc);
    doc = one("Bolivia encouraged Iran to continue to include more women in that body.");
    ck_assert_int_eq(doc->recommendations[0].category, 2);
    ck_assert_str_eq(doc->recommendations[0].strength, "moderate");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(deontic_modals)
{
    rw_document_t *doc = one("The Government should immediately release all those arbitrarily detained.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->addressee, "The Government");
    ck_assert_str_eq(rec->action, "release all those arbitrarily detained");
    ck_assert_str_eq(rec->strength, "moderate");
    ck_assert(rec->confidence >= 0.65 && rec->confidence < 0.9);
    rw_document_destroy(&doc);
    doc = one("I believe the 1995 law on freedom of assembly should be replaced by a new law.");
    rec = &doc->recommendations[0];
    ck_assert_ptr_null(rec->addressee);     /* a passive names no actor */
    ck_assert(has_cue(rec, "should be replaced"));
    ck_assert_int_eq(rec->category, 5);
    rw_document_destroy(&doc);
    doc = one("Authorities must immediately withdraw the bill.");
    ck_assert_str_eq(doc->recommendations[0].strength, "strong");
    rw_document_destroy(&doc);
    doc = one("Sri Lanka's international partners need to step up their efforts.");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(necessity_and_evaluation)
{
    rw_document_t *doc = one("I believe a new or amended media law that decriminalizes libel is needed.");
    ck_assert_str_eq(doc->recommendations[0].strength, "strong");
    ck_assert(has_cue(&doc->recommendations[0], "is needed"));
    rw_document_destroy(&doc);
    doc = one("An effective preventive mechanism is a matter of urgency.");
    rw_document_destroy(&doc);
    doc = one("It is crucial that the police stop the practice.");
    rw_document_destroy(&doc);
    doc = one("A national action plan would be the best way to begin the process of reform.");
    ck_assert_str_eq(doc->recommendations[0].strength, "weak");
    ck_assert(doc->recommendations[0].confidence >= 0.5 && doc->recommendations[0].confidence < 0.8);
    rw_document_destroy(&doc);
    doc = one("Another essential element in the effort to combat torture is to halt the practice.");
    ck_assert_str_eq(doc->recommendations[0].action, "halt the practice");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(look_alikes)
{
    none("The Foreign Minister informed me that it would soon ratify the Convention.");
    none("The Government intends to establish a national commission next year.");
    none("I applaud the fact that the government has given compensation to victims.");
    none("The Committee welcomes the adoption of the new law on torture.");
    none("There are serious concerns that police are not properly trained.");
    none("Germany asked if Iran intended to prevent the harassment of defenders.");
    none("Is the government of Slovenia considering ratifying the Optional Protocol?");
    none("It should be noted that the law was adopted in 2010.");
    none("Skip to main content");
    none("For more information and media requests, please contact the press office.");
    none("In 2011 the police fired live rounds into crowds of people in the town centre.");
    none("Il a été demandé si l'ombudsman avait la possibilité de faire appliquer la Convention.");
    none("Se solicitó información sobre los porcentajes de hombres y mujeres en las instituciones.");
}
END_TEST

START_TEST(descriptive_should_is_weak)
{
    rw_document_t *doc = extract("Organizers are held responsible for security, which should be "
                                 "the responsibility of the police.", 0.0);
    ck_assert(doc->count == 0 || doc->recommendations[0].confidence < 0.5);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(french)
{
    rw_document_t *doc = one("Le Comité recommande à l'État partie de ratifier la Convention.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->addressee, "l'État partie");
    ck_assert_str_eq(rec->action, "ratifier la Convention");
    ck_assert_int_eq(rec->category, 5);
    ck_assert_str_eq(rec->strength, "strong");
    rw_document_destroy(&doc);
    doc = one("J'exhorte les autorités à libérer les défenseurs détenus.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "les autorités");
    rw_document_destroy(&doc);
    doc = one("Le Gouvernement devrait abolir la peine de mort.");
    ck_assert_str_eq(doc->recommendations[0].strength, "moderate");
    ck_assert_int_eq(doc->recommendations[0].category, 5);
    rw_document_destroy(&doc);
    doc = one("« L’Assemblée exhorte l’organisme international à suivre ses recommandations ».");
    rw_document_destroy(&doc);
    none("Il faut souligner que le nouveau système fonctionnera de manière autonome.");
}
END_TEST

START_TEST(spanish)
{
    rw_document_t *doc = one("El Comité recomienda al Estado parte que adopte medidas eficaces.");
    rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->addressee, "Estado parte");
    ck_assert_str_eq(rec->action, "adopte medidas eficaces");
    ck_assert_int_eq(rec->category, 5);
    rw_document_destroy(&doc);
    doc = one("Insto al Gobierno a liberar a los detenidos.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "Gobierno");
    rw_document_destroy(&doc);
    doc = one("El Estado parte debe investigar todos los casos de tortura.");
    ck_assert_str_eq(doc->recommendations[0].addressee, "El Estado parte");
    rw_document_destroy(&doc);
    doc = one("¿Debe el Estado ratificar la Convención? No. El Estado debe ratificar la Convención.");
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(lead_in_and_list)
{
    rw_document_t *doc = extract("The Government should:\n(a) Ratify the Convention;\n"
                                 "(b) Repeal the law on libel;\n(c) Establish an independent body.\n",
                                 0.5);
    ck_assert_uint_eq(doc->count, 3);
    ck_assert_str_eq(doc->recommendations[0].text, "Ratify the Convention;");
    ck_assert_str_eq(doc->recommendations[1].text, "Repeal the law on libel;");
    ck_assert_int_eq(doc->recommendations[1].category, 5);
    ck_assert_str_eq(doc->recommendations[2].text, "Establish an independent body.");
    for (size_t i = 0; i < doc->count; i++)
        ck_assert(strstr(doc->recommendations[i].text, "should:") == NULL);
    rw_document_destroy(&doc);
    /* inline list on one line */
    doc = extract("The Committee recommends that the State party: (a) adopt a law on torture; "
                  "(b) train the police.", 0.5);
    ck_assert_uint_eq(doc->count, 2);
    ck_assert_str_eq(doc->recommendations[1].text, "train the police.");
    rw_document_destroy(&doc);
    /* Spanish items without an imperative, after a lead-in */
    doc = extract("El Estado parte debe velar por que:\n\n"
                  "a. Se elaboren políticas públicas relativas a la reparación;\n\n"
                  "b. Se establezca una base de datos sobre las víctimas.\n\n"
                  "9. Aunque acoge con satisfacción las medidas, al Comité le preocupa la impunidad.\n",
                  0.5);
    ck_assert_uint_eq(doc->count, 2);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(upr_list)
{
    rw_document_t *doc = extract(
        "II. Conclusions and/or recommendations\n\n"
        "90. The recommendations listed below enjoy the support of Iran:\n\n"
        "140.38  Make further efforts to\n    promote women's rights (Bangladesh);\n\n"
        "140.39 Adopt legislation on domestic violence (Chile);\n\n"
        "94.12. Ratify the Optional Protocol to the Convention against Torture (Chile);\n\n"
        "1. \nContinue to respect international humanitarian law (Kuwait);\n", 0.5);
    ck_assert_uint_eq(doc->count, 4);
    ck_assert_str_eq(doc->recommendations[0].text,
                     "Make further efforts to promote women's rights (Bangladesh);");
    ck_assert_str_eq(doc->recommendations[2].action,
                     "Ratify the Optional Protocol to the Convention against Torture");
    ck_assert_int_eq(doc->recommendations[3].category, 2);
    ck_assert(doc->recommendations[1].confidence >= 0.85);
    rw_document_destroy(&doc);
    doc = extract("- Considerar la posibilidad de modificar el código penal (México);\n"
                  "- Derogar toda la legislación discriminatoria contra la mujer (Suiza);\n", 0.5);
    ck_assert_uint_eq(doc->count, 2);
    ck_assert_int_eq(doc->recommendations[0].category, 3);
    ck_assert_str_eq(doc->recommendations[0].strength, "weak");
    rw_document_destroy(&doc);
}
END_TEST

/* List items open with many verbs: phrasal ones ("Beef up"), rarer ones ("Heed",
 * "Abrogate"), and French ones whose capital lost its accent ("Etablir"). */
START_TEST(list_verbs)
{
    rw_document_t *doc = extract(
        "Recommendations\n\n"
        "118.1 Ratify the Convention against Torture (Ukraine);\n\n"
        "118.2 Beef up measures to address overcrowding in detention centres (Lesotho);\n\n"
        "118.3 Abrogate the law on criminal defamation (France);\n\n"
        "118.4 Heed the calls of civil society for an independent inquiry (Chile);\n", 0.5);
    ck_assert_uint_eq(doc->count, 4);
    ck_assert_str_eq(doc->recommendations[1].action,
                     "Beef up measures to address overcrowding in detention centres");
    ck_assert_int_eq(doc->recommendations[2].category, 5);
    rw_document_destroy(&doc);
    doc = extract("Le Comité recommande à l'État partie :\n\n"
                  "a) Etablir un mécanisme national de prévention de la torture ;\n\n"
                  "b) Eradiquer la pratique de la détention arbitraire.\n", 0.5);
    ck_assert_uint_eq(doc->count, 2);
    ck_assert_int_eq(doc->recommendations[0].category, 5);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(min_confidence_drops)
{
    rw_document_t *doc = extract("The Government should release the detainees.", 0.95);
    ck_assert_uint_eq(doc->count, 0);
    rw_document_destroy(&doc);
    doc = extract("The Government should release the detainees.", 0.0);
    ck_assert_uint_eq(doc->count, 1);
    rw_document_destroy(&doc);
}
END_TEST


/* ---------------------------------------------------------------- held-out cases
 * Sentences written for this suite (not taken from the corpus): every family of
 * GUIDELINE.md and its look-alikes — reported calls, the addressee's own law and
 * plans reported after a verb of saying, law descriptions, attributions ("according
 * to", "selon", "según"), questions, hopes, welcomes, concerns. */
static const char *const en_calls[] = {
    "I urge the authorities to release all peaceful protesters immediately.",
    "The Special Rapporteur called on the Government to repeal the emergency regulations.",
    "Amnesty International urged Congress to reject the bill.",
    "The Committee recommends that the State party establish an independent complaints mechanism.",
    "The High Commissioner encouraged the authorities to engage in a meaningful dialogue with civil society.",
    "The Government should ensure that all allegations of torture are promptly investigated.",
    "The State party should adopt a comprehensive anti-discrimination law.",
    "Parliament must amend the Penal Code to decriminalize defamation.",
    "All detainees must be brought promptly before a judge.",
    "The authorities need to guarantee the safety of journalists.",
    "A comprehensive review of the counter-terrorism legislation is urgently needed.",
    "It is essential that the authorities investigate these killings without delay.",
    "There is an urgent need to reform the prison system.",
    "An independent investigation would be the best way to restore public confidence.",
    "The experts asked the Government to provide reparation to the victims.",
    "Norway recommended that the Government adopt a moratorium on executions.",
    "Human Rights Watch called for the immediate release of the activists.",
    "We call upon all parties to the conflict to respect international humanitarian law.",
    "The Committee requests the State party to provide information on the measures taken.",
    "I would encourage the Government to extend a standing invitation to the special procedures.",
    "The Rapporteur recommended to the authorities that they close the detention centre.",
    "The UN experts demanded that the authorities halt the demolitions.",
    "The Working Group invited the Government to consider ratifying the Convention.",
    "The Committee further recommends that the State party ratify the Optional Protocol.",
    "Mexico recommended ensuring that human rights defenders can work freely.",
    "Human Rights Watch said the government must immediately release the detained activists.",
    "The Special Rapporteur said that the State must put an end to impunity for these crimes.",
    "UN experts said the authorities should drop all charges against the journalists.",
    "Ms. Gaer said that the State party should establish an independent body to investigate complaints against the police.",
    "The Committee reiterates its recommendation that the State party criminalize torture.",
    "Under international law, the authorities must investigate every death in custody.",
    "The Government should, as a matter of priority, adopt the draft law on refugees.",
    "Donors should condition their support on concrete human rights progress.",
    "Amnesty International is calling on the authorities to quash the convictions.",
    "It is imperative that the authorities allow independent monitors access to all places of detention.",
    NULL
};
static const char *const en_not_calls[] = {
    "The Minister informed me that the Government would ratify the Convention next year.",
    "The Government intends to establish a national human rights institution.",
    "The delegation said that the new law should enter into force in January.",
    "The representative of the State party stated that all detainees must be registered within 24 hours.",
    "The Constitution provides that everyone should have access to justice.",
    "Article 12 of the Act stipulates that any arrest must be authorized by a judge.",
    "Under the Penal Code, the police must inform detainees of their rights.",
    "The Committee welcomes the adoption of the law on domestic violence.",
    "I applaud the Government for its cooperation with my Office.",
    "There are serious concerns that journalists are being harassed.",
    "Witnesses alleged that the police had beaten the detainees.",
    "Mr. Smith asked whether the State party intended to ratify the Convention.",
    "Does the Government plan to amend the law?",
    "The Committee asked what measures had been taken to prevent torture.",
    "I hope that the authorities will take these recommendations seriously.",
    "The minister said the government would review the law in the coming months.",
    "Officials told reporters that the prison would be closed by the end of the year.",
    "The law requires that all associations must register with the Ministry.",
    "Families of the disappeared have been waiting for answers for decades.",
    "The Government has taken several steps to improve prison conditions.",
    "According to the Ministry, new legislation must be drafted before the elections.",
    "She noted that the commission should have been set up years ago but lacked funding.",
    "The report found that security forces used excessive force, which should have been prevented.",
    "The Prime Minister announced that his government will abolish the death penalty.",
    "The delegation explained that the Ombudsman must report annually to Parliament.",
    "Click here to read the full statement.",
    "The State party indicated that it planned to revise the Criminal Code.",
    "The Committee notes with concern that the definition of torture is not in line with the Convention.",
    "In its reply, the Government stated that detainees have to be released within 48 hours.",
    "The Minister of Justice said that all detainees must have access to a lawyer within 24 hours.",
    "The delegation replied that the Ombudsman should submit his report in March.",
    "The new law provides that journalists must be accredited by the Ministry.",
    "The State party reported that police officers must undergo human rights training.",
    "Ms. Gaer asked whether the State party intended to establish an independent body.",
    "The Committee is concerned that the law does not define torture.",
    "Under the Criminal Code, a suspect must be charged within 48 hours.",
    "Mr. HANSEN (Norway) said that the prison service must respect the rules on solitary confinement.",
    "Government officials said the new prison must be completed by 2025.",
    "The court had to decide whether the defendant should be released on bail.",
    NULL
};
static const char *const fr_calls[] = {
    "Le Comité recommande à l'État partie de prendre des mesures pour prévenir la torture.",
    "J'exhorte les autorités à libérer sans délai les journalistes détenus.",
    "Le Rapporteur spécial a exhorté le Gouvernement à abroger la loi sur les associations.",
    "Les experts ont appelé les autorités à suspendre les expulsions forcées.",
    "Le Haut-Commissaire a invité le Gouvernement à coopérer pleinement avec les mécanismes des droits de l'homme.",
    "L'État partie devrait veiller à ce que toutes les allégations de torture fassent l'objet d'une enquête.",
    "Le Gouvernement doit garantir l'indépendance du pouvoir judiciaire.",
    "Les autorités doivent mettre fin à la détention arbitraire des opposants.",
    "Il est urgent d'adopter une loi contre la violence domestique.",
    "Il est indispensable que les victimes obtiennent réparation.",
    "Le Comité engage l'État partie à ratifier le Protocole facultatif.",
    "Le Comité encourage l'État partie à renforcer la formation des policiers.",
    "Nous demandons aux autorités de mener une enquête indépendante.",
    "Amnesty International a demandé aux autorités de libérer les manifestants.",
    "La France a recommandé au Maroc d'abolir la peine de mort.",
    "Le Comité prie l'État partie de fournir des informations sur les mesures prises.",
    "Il faudrait modifier le Code pénal afin d'y inclure une définition de la torture.",
    "Le Comité invite instamment l'État partie à adopter une stratégie nationale.",
    "Une réforme du système pénitentiaire est nécessaire.",
    "Le Rapporteur spécial recommande que les autorités ferment le centre de détention.",
    "L'État partie devrait envisager de ratifier la Convention.",
    "M. Dupont souhaiterait que l'État partie adopte une loi spécifique sur la torture.",
    "Les autorités devraient abroger toutes les dispositions discriminatoires.",
    "Le Rapporteur spécial a déclaré que le Gouvernement doit mettre fin aux détentions arbitraires.",
    "M. Mariño Menéndez dit que l'État partie devrait incorporer la définition de la torture dans son Code pénal.",
    "En vertu du droit international, les autorités doivent enquêter sur chaque décès en détention.",
    "Le Comité réitère sa recommandation tendant à ce que l'État partie crée un mécanisme national de prévention.",
    "Les experts de l'ONU ont exhorté les autorités à abandonner les poursuites contre les journalistes.",
    "Il importe que l'État partie garantisse l'accès des détenus à un avocat dès leur arrestation.",
    "Les bailleurs de fonds devraient conditionner leur aide au respect des droits de l'homme.",
    "Human Rights Watch a appelé le Gouvernement à libérer les militants détenus.",
    NULL
};
static const char *const fr_not_calls[] = {
    "La délégation indique que la loi doit entrer en vigueur en janvier.",
    "Le représentant de l'État partie explique que tout détenu doit être présenté à un juge dans les 24 heures.",
    "La Constitution dispose que toute personne doit avoir accès à un avocat.",
    "L'article 5 de la loi prévoit que la police doit informer le détenu de ses droits.",
    "Le Gouvernement a l'intention de créer une institution nationale des droits de l'homme.",
    "Le Ministre m'a assuré que la Convention serait ratifiée l'année prochaine.",
    "Le Comité se félicite de l'adoption de la nouvelle loi sur la torture.",
    "Le Comité est préoccupé par les allégations de mauvais traitements en détention.",
    "M. Martin demande si l'État partie envisage de ratifier le Protocole facultatif.",
    "Quelles mesures le Gouvernement a-t-il prises pour lutter contre la traite?",
    "J'espère que les autorités prendront ces recommandations au sérieux.",
    "Selon la loi, les associations doivent s'enregistrer auprès du ministère.",
    "La délégation ajoute que le Gouvernement devra présenter un rapport au Parlement.",
    "Le Ministre a annoncé que le Gouvernement allait réviser le Code pénal.",
    "Les familles des disparus attendent des réponses depuis des années.",
    "Le Gouvernement a pris plusieurs mesures pour améliorer les conditions de détention.",
    "Mme Dubois dit que, conformément à la loi, toute arrestation doit être autorisée par un juge.",
    "Le projet de loi prévoit que les détenus devront être informés de leurs droits.",
    "En vertu du Code de procédure pénale, le procureur doit être informé de toute garde à vue.",
    "La police aurait frappé les manifestants, selon des témoins.",
    "Il faut souligner que le système fonctionne de manière autonome.",
    "Le Comité demande des renseignements sur le nombre de plaintes déposées.",
    "Selon le Gouvernement, les réformes devront être approuvées par le Parlement.",
    "Le délégué précise que les policiers doivent suivre une formation obligatoire.",
    "Le Ministre de la justice a déclaré que tous les détenus doivent avoir accès à un avocat.",
    "La délégation a répondu que le Médiateur devrait présenter son rapport en mars.",
    "La nouvelle loi dispose que les journalistes doivent être accrédités par le ministère.",
    "M. HANSEN (Norvège) dit que l'administration pénitentiaire doit respecter les règles relatives à l'isolement.",
    "Le tribunal devait déterminer si le prévenu devait être libéré sous caution.",
    "Mme Belmir demande si l'État partie envisage de créer un organe indépendant.",
    "Le Code pénal prévoit que tout suspect doit être inculpé dans les 48 heures.",
    "Le Comité est préoccupé par le fait que la loi ne définit pas la torture.",
    NULL
};
static const char *const es_calls[] = {
    "El Comité recomienda al Estado parte que adopte medidas para prevenir la tortura.",
    "Insto a las autoridades a liberar a todos los defensores detenidos.",
    "La Alta Comisionada exhortó al Gobierno a investigar los asesinatos de periodistas.",
    "Los expertos instaron a las autoridades a suspender los desalojos.",
    "El Estado parte debe garantizar que todas las denuncias de tortura sean investigadas.",
    "El Gobierno debería adoptar una ley integral contra la discriminación.",
    "Las autoridades deben poner fin a las detenciones arbitrarias.",
    "Es urgente reformar el sistema penitenciario.",
    "Es necesario que el Estado garantice la independencia judicial.",
    "El Comité alienta al Estado parte a ratificar el Protocolo Facultativo.",
    "La ONU-DH hizo un llamado a las autoridades para que investiguen el crimen.",
    "Amnistía Internacional pidió al Gobierno que libere a los manifestantes.",
    "España recomendó a Guatemala que aboliera la pena de muerte.",
    "El Comité solicita al Estado parte que proporcione información sobre las medidas adoptadas.",
    "El Estado parte debería considerar la posibilidad de ratificar la Convención.",
    "Exigimos que se investigue el asesinato de manera inmediata.",
    "El Relator Especial invitó al Gobierno a cooperar con los mecanismos internacionales.",
    "Hay que reformar el Código Penal para tipificar la tortura.",
    "La Oficina hace un llamamiento a las autoridades para que protejan a los periodistas.",
    "El Comité reitera su recomendación de que el Estado parte tipifique el feminicidio.",
    "Se recomienda al Estado parte que establezca un mecanismo nacional de prevención.",
    "La Relatora Especial dijo que el Estado debe poner fin a la impunidad.",
    "El Sr. Modvig dijo que el Estado parte debería tipificar la tortura como delito autónomo.",
    "En virtud del derecho internacional, las autoridades deben investigar toda muerte bajo custodia.",
    "Los expertos de la ONU instaron a las autoridades a retirar los cargos contra los periodistas.",
    "Es imprescindible que el Estado parte garantice el acceso de los detenidos a un abogado.",
    "Los donantes deberían condicionar su ayuda al respeto de los derechos humanos.",
    "Human Rights Watch pidió al Gobierno que libere a los activistas detenidos.",
    "El Comité exhorta al Estado parte a que adopte sin demora el proyecto de ley sobre refugiados.",
    NULL
};
static const char *const es_not_calls[] = {
    "La delegación indicó que la ley debe entrar en vigor en enero.",
    "El Estado parte informa que todos los detenidos deben ser presentados ante un juez.",
    "La Constitución establece que toda persona debe tener acceso a la justicia.",
    "El artículo 10 de la ley dispone que la policía debe informar al detenido de sus derechos.",
    "El Gobierno tiene la intención de crear una institución nacional de derechos humanos.",
    "El Ministro me aseguró que la Convención sería ratificada el próximo año.",
    "El Comité acoge con satisfacción la aprobación de la ley contra la violencia doméstica.",
    "Al Comité le preocupa que persistan los malos tratos en los centros de detención.",
    "El Sr. Pérez pregunta si el Estado parte prevé ratificar el Protocolo Facultativo.",
    "¿Qué medidas ha adoptado el Gobierno para combatir la trata?",
    "Espero que las autoridades tomen en serio estas recomendaciones.",
    "Según la ley, las asociaciones deben inscribirse en el registro del ministerio.",
    "El Ministro anunció que el Gobierno revisará el Código Penal.",
    "Las familias de los desaparecidos esperan respuestas desde hace años.",
    "El Gobierno ha adoptado varias medidas para mejorar las condiciones de detención.",
    "La representante explicó que, de acuerdo con la ley, toda detención debe ser autorizada por un juez.",
    "El proyecto de ley prevé que los detenidos deberán ser informados de sus derechos.",
    "Según el Gobierno, las reformas deberán ser aprobadas por el Congreso.",
    "Se preguntó si el Estado parte había adoptado medidas para proteger a los defensores.",
    "El Comité toma nota de que la ley establece que las víctimas tienen derecho a reparación.",
    "Según testigos, la policía habría golpeado a los manifestantes.",
    "El delegado precisó que los policías deben recibir una formación obligatoria.",
    "La ley dispone que el fiscal deberá ser informado de toda detención.",
    "El Estado parte señala que la nueva ley deberá ser aprobada por el Parlamento.",
    "El Ministro de Justicia afirmó que todos los detenidos deben tener acceso a un abogado.",
    "La delegación respondió que el Defensor del Pueblo debería presentar su informe en marzo.",
    "La nueva ley dispone que los periodistas deben estar acreditados ante el ministerio.",
    "El Sr. HANSEN (Noruega) dice que el servicio penitenciario debe respetar las normas sobre el aislamiento.",
    "La Sra. Belmir pregunta si el Estado parte tiene previsto crear un órgano independiente.",
    "El Código Penal establece que todo sospechoso debe ser acusado en un plazo de 48 horas.",
    "Al Comité le preocupa que la ley no defina la tortura.",
    "El tribunal debía decidir si el acusado debía ser puesto en libertad bajo fianza.",
    NULL
};

static void expect_calls(const char *const *texts)
{
    for (size_t i = 0; texts[i]; i++) {
        rw_document_t *doc = extract(texts[i], 0.5);
        ck_assert_msg(doc->count == 1, "%zu recommendations in: %s", doc->count, texts[i]);
        ck_assert(doc->recommendations[0].confidence >= 0.5);
        rw_document_destroy(&doc);
    }
}

static void expect_no_calls(const char *const *texts)
{
    for (size_t i = 0; texts[i]; i++)
        none(texts[i]);
}

START_TEST(held_out_english)
{
    expect_calls(en_calls);
    expect_no_calls(en_not_calls);
}
END_TEST

START_TEST(held_out_french)
{
    expect_calls(fr_calls);
    expect_no_calls(fr_not_calls);
}
END_TEST

START_TEST(held_out_spanish)
{
    expect_calls(es_calls);
    expect_no_calls(es_not_calls);
}
END_TEST

START_TEST(addressee_speaking)
{
    /* a summary record: a delegate's reply runs over the next paragraphs, its deontic
     * describes the State's law; a member of the Committee then speaks again */
    rw_document_t *doc = extract(
        "Compte rendu analytique\n\n"
        "1. M. LARSEN (Danemark) remercie le Comité de ses questions.\n\n"
        "2. Tout détenu doit être présenté à un juge dans les 24 heures. Les policiers doivent "
        "suivre une formation obligatoire.\n\n"
        "3. M. Larsen s'efforcera de répondre aux autres questions.\n\n"
        "4. M. SORENSEN (Rapporteur pour le Danemark) dit que l'État partie devrait "
        "incorporer la définition de la torture dans son Code pénal.\n", 0.5);
    ck_assert_uint_eq(doc->count, 1);
    ck_assert(strstr(doc->recommendations[0].text, "incorporer la définition") != NULL);
    rw_document_destroy(&doc);
    /* the same deontic with no delegate in the statement is a call */
    doc = one("Tout détenu doit être présenté à un juge dans les 24 heures.");
    rw_document_destroy(&doc);
    /* the representative of a United Nations office speaks for the body */
    doc = one("El representante de la ONU-DH señaló que las autoridades deben investigar "
              "el asesinato.");
    rw_document_destroy(&doc);
    /* an indirect question: "whether ... should" is asked about */
    none("The court had to decide whether the defendant should be released on bail.");
}
END_TEST

START_TEST(upr_numbering_and_attribution)
{
    rw_document_t *doc = extract(
        "II. Conclusions and/or recommendations\n\n"
        "The recommendations listed below have been examined by X:\n\n"
        "86.10. Consider acceding to ICRMW (Algeria);\n\n"
        "86.10..1 ratify ICRMW (Bolivia);\n\n"
        "86.11. Establish land commissions at the community level. (Niger);\n\n"
        "86.12. That a mechanism be established to verify the treatment of detainees "
        "(Czech Republic);\n", 0.5);
    ck_assert_uint_eq(doc->count, 4);
    ck_assert_str_eq(doc->recommendations[1].text, "86.10..1 ratify ICRMW (Bolivia);");
    ck_assert_int_eq(doc->recommendations[1].category, 5);
    ck_assert_str_eq(doc->recommendations[2].text,
                     "Establish land commissions at the community level. (Niger);");
    rw_document_destroy(&doc);
    /* items whose letters the segmenter left in place: "b) veiller ..." */
    doc = extract("Le Comité recommande à l'État partie :\n\n"
                  "1. b) veiller à ce que les lois interdisant le travail des enfants soient appliquées ;\n\n"
                  "2. - Associer les personnes handicapées à l'élaboration des politiques.\n", 0.5);
    ck_assert_uint_eq(doc->count, 2);
    rw_document_destroy(&doc);
}
END_TEST

/* ---------------------------------------------------------------- second held-out set
 * Hard cases from a second evaluation set written in the genres of the sealed one
 * (press briefing notes, special-procedures releases, concluding observations, summary
 * records, UPR working-group reports, NGO news): reported calls in the plural and in
 * compound tenses, necessity phrased impersonally, the addressee's own words, UPR
 * report boilerplate and page furniture. */
static const char *const second_calls[] = {
    "Plusieurs délégations ont engagé Madagascar à abroger la loi autorisant la castration chirurgicale.",
    "Ils ont également engagé la communauté internationale à soulever la question des exécutions.",
    "Selon eux, il est impératif que les familles soient informées à l'avance des dates d'exécution.",
    "Varias delegaciones alentaron a Honduras a despenalizar la interrupción voluntaria del embarazo.",
    "También hicieron un llamamiento a la comunidad internacional para que mantenga su atención sobre Nicaragua.",
    "Se requiere una presencia integral del Estado en las zonas rurales, con servicios de salud y justicia.",
    "Sería conveniente que el Estado parte incluyera datos desglosados en su próximo informe.",
    "Repealing Decree-Law 54 is the only way to show that Tunisia still respects free speech.",
    "Urgent action is required to prevent a humanitarian catastrophe at the border.",
    "« Il est grand temps que les autorités mettent fin à cette répression », a déclaré la directrice.",
    "It is high time that the authorities lifted the ban on the main opposition party.",
    NULL
};
static const char *const second_not_calls[] = {
    "The authorities have said that every eligible citizen must register at local offices.",
    "El Gobierno ha afirmado que toda persona debe respetar la soberanía nacional.",
    "Las autoridades anunciaron nuevas cárceles y afirmaron que los manifestantes deben responder ante la justicia.",
    "Les autorités ont affirmé que l'État doit rétablir son autorité sur l'ensemble du territoire.",
    "A draft law on human rights defenders was being prepared.",
    "All conclusions and/or recommendations contained in the present report reflect the position of the submitting State(s) and/or the State under review.",
    "They should not be construed as endorsed by the Working Group as a whole.",
    "Elles ne sauraient être considérées comme ayant été approuvées par le Groupe de travail dans son ensemble.",
    "No debe entenderse que han sido respaldadas por el Grupo de Trabajo en su conjunto.",
    "Follow news related to the UN's independent human rights experts on Twitter @UN_SPExperts.",
    "Los miembros solicitaron asimismo más información sobre los casos de asesinato no resueltos.",
    "Pour toute demande de renseignements de la part des médias, veuillez contacter : Mme Claire Martin.",
    "The Home Adviser insisted that the police had acted in self-defence in several districts.",
    "The Government of Pakistan insists that the policy targets only undocumented migrants.",
    "Under Bangladeshi law, police must give a warning before opening fire.",
    NULL
};

START_TEST(held_out_second_set)
{
    expect_calls(second_calls);
    expect_no_calls(second_not_calls);
    /* contact-block furniture is vetoed by its own wording, not by any mention of media */
    rw_document_t *media = one("Le Gouvernement doit protéger les journalistes contre les "
                               "pressions de la part des médias proches du pouvoir.");
    rw_document_destroy(&media);
    none("Pour toute demande de la part des médias, veuillez contacter le service de presse.");
    /* the fields of a reported call in the French passé composé */
    rw_document_t *doc = one(second_calls[0]);
    ck_assert_str_eq(doc->recommendations[0].addressee, "Madagascar");
    ck_assert(starts_with(doc->recommendations[0].action, "abroger la loi"));
    ck_assert_int_eq(doc->recommendations[0].category, 5);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(pronoun_goes_on_speaking)
{
    /* a UPR report: the delegation speaks, then "Elle a précisé ...", "Il a ajouté ..."
     * (even in the next paragraph) go on in its voice: its plans, not calls */
    rw_document_t *doc = extract(
        "5. La délégation a déclaré que la Constitution garantit l'indépendance de la justice. "
        "Elle a précisé que le Gouvernement devrait présenter prochainement un projet de loi.\n\n"
        "6. Il a ajouté que l'État doit concilier la liberté d'expression et l'ordre public.\n", 0.5);
    ck_assert_uint_eq(doc->count, 0);
    rw_document_destroy(&doc);
    doc = extract("La delegación señaló que se había creado una secretaría. "
                  "Indicó que la Policía Nacional debería completar su depuración en 2025.\n", 0.5);
    ck_assert_uint_eq(doc->count, 0);
    rw_document_destroy(&doc);
    /* the same words after the experts spoke are their call */
    doc = extract("Les experts ont déclaré que la situation est grave. "
                  "Ils ont précisé que le Gouvernement devrait libérer tous les détenus.\n", 0.5);
    ck_assert_uint_eq(doc->count, 1);
    ck_assert(strstr(doc->recommendations[0].text, "libérer tous les détenus") != NULL);
    rw_document_destroy(&doc);
    /* a heading ends the delegation's turn */
    doc = extract("The delegation said that the Government had adopted 27 laws.\n\n"
                  "Recommendations of the Special Rapporteur\n\n"
                  "She said the Government should repeal the decree on associations.\n", 0.5);
    ck_assert_uint_eq(doc->count, 1);
    rw_document_destroy(&doc);
}
END_TEST

START_TEST(noun_phrase_items)
{
    /* "A review of ..." is a nominal call inside a list of recommendations ... */
    rw_document_t *doc = extract(
        "II. Conclusions and/or recommendations\n\n"
        "92. The following recommendations will be examined by the State:\n\n"
        "92.1. A review of federal and state legislation with a view to its harmonization "
        "(Brazil);\n", 0.5);
    ck_assert_uint_eq(doc->count, 1);
    rw_document_destroy(&doc);
    /* ... but "A draft law ... was being prepared" in a reply is a fact */
    doc = extract("9. Ms. Abdrakhmanova (Kazakhstan) said that public order had to be kept.\n\n"
                  "10. A draft law on human rights defenders was being prepared.\n", 0.5);
    for (size_t i = 0; i < doc->count; i++)
        ck_assert(strstr(doc->recommendations[i].text, "draft law") == NULL);
    rw_document_destroy(&doc);
}
END_TEST

/* The strings of a recommendation: white space runs (tabs, new lines, U+00A0) folded to
 * one space, none at either end; many recommendations in one document (its pool). */
START_TEST(folded_strings)
{
    rw_document_t *doc = one("  The  Government\xc2\xa0" "should\t\n immediately   ratify "
                             "the\xc2\xa0\xc2\xa0" "Convention against Torture  without delay.  ");
    const rw_recommendation_t *rec = &doc->recommendations[0];
    ck_assert_str_eq(rec->text, "The Government should immediately ratify the Convention "
                                "against Torture without delay.");
    ck_assert_str_eq(rec->addressee, "The Government");
    ck_assert(starts_with(rec->action, "ratify the Convention against Torture"));
    ck_assert(has_cue(rec, "should"));
    ck_assert_str_eq(rec->language, "en");
    rw_document_destroy(&doc);

    char text[8192] = "";
    for (int i = 0; i < 60; i++) {
        char item[128];
        snprintf(item, sizeof item, "The Government  should\tratify treaty number %d "
                                    "without any further delay.\n\n", i);
        strcat(text, item);
    }
    doc = extract(text, 0.5);
    ck_assert_uint_eq(doc->count, 60);
    for (size_t i = 0; i < doc->count; i++) {
        char expected[128];
        snprintf(expected, sizeof expected, "The Government should ratify treaty number %zu "
                                            "without any further delay.", i);
        ck_assert_str_eq(doc->recommendations[i].text, expected);
        ck_assert(has_cue(&doc->recommendations[i], "should"));
    }
    rw_document_destroy(&doc);
}
END_TEST

/* Fold white space the way rw_recommendation_t.text does. */
static char *fold_space(const char *text, size_t length)
{
    char *out = malloc(length + 1);
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < length; i++) {
        if (strchr(" \n\t\r", text[i])) {
            space = n > 0;
            continue;
        }
        if (space)
            out[n++] = ' ';
        space = false;
        out[n++] = text[i];
    }
    out[n] = '\0';
    return out;
}

START_TEST(seed_statement)
{
    size_t size = 0, gold_size = 0;
    char *data = test_read_file(CORPUS_DIR "/seed-pillay-kazakhstan-2012.txt", &size);
    char *gold = test_read_file(CORPUS_DIR "/seed-pillay-kazakhstan-2012.gold", &gold_size);
    ck_assert_ptr_nonnull(data);
    ck_assert_ptr_nonnull(gold);
    rw_document_t *doc = extract(data, 0.5);
    /* every prediction holds a labelled unit (REC or MAYBE); every REC is found once */
    size_t recs = 0;
    char *save = NULL;
    int *found = calloc(doc->count + 1, sizeof *found);
    bool *labelled = calloc(doc->count + 1, sizeof *labelled);
    for (char *line = strtok_r(gold, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        bool rec = strncmp(line, "REC\t", 4) == 0;
        bool maybe = strncmp(line, "MAYBE\t", 6) == 0;
        if (!rec && !maybe)
            continue;
        const char *anchor = strchr(line, '\t') + 1;
        size_t hits = 0;
        for (size_t i = 0; i < doc->count; i++) {
            if (strstr(doc->recommendations[i].text, anchor)) {
                labelled[i] = true;
                hits++;
            }
        }
        if (rec) {
            recs++;
            ck_assert_msg(hits == 1, "gold anchor found %zu times: %s", hits, anchor);
        }
    }
    ck_assert_uint_eq(recs, 7);
    /* no borderline unit either: exactly the seven recommendations */
    ck_assert_uint_eq(doc->count, 7);
    for (size_t i = 0; i < doc->count; i++) {
        const rw_recommendation_t *r = &doc->recommendations[i];
        ck_assert_msg(labelled[i], "false alarm: %s", r->text);
        /* the bytes at span in the file are the sentence */
        ck_assert(r->span_end > r->span_start && r->span_end <= size);
        char *original = fold_space(data + r->span_start, r->span_end - r->span_start);
        ck_assert_str_eq(original, r->text);
        free(original);
        ck_assert(r->confidence >= 0.5 && r->confidence <= 1.0);
        ck_assert(r->cues.count > 0);
        ck_assert_str_eq(r->language, "en");
    }
    free(found);
    free(labelled);
    rw_document_destroy(&doc);
    free(data);
    free(gold);
}
END_TEST

int main(void)
{
    char error[512];
    rw_strings_t languages;
    if (test_languages(&languages) < 0)
        return 1;
    lexicon = rw_lexicon_new(LEXICON_DIR, &languages, error, sizeof error);
    rw_strings_clear(&languages);
    if (!lexicon) {
        fprintf(stderr, "lexicon: %s\n", error);
        return 1;
    }
    Suite *suite = suite_create("extract");
    TCase *tc = tcase_create("extract");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, performative_fields);
    tcase_add_test(tc, performative_that_clause);
    tcase_add_test(tc, reported_calls);
    tcase_add_test(tc, deontic_modals);
    tcase_add_test(tc, necessity_and_evaluation);
    tcase_add_test(tc, look_alikes);
    tcase_add_test(tc, descriptive_should_is_weak);
    tcase_add_test(tc, french);
    tcase_add_test(tc, spanish);
    tcase_add_test(tc, lead_in_and_list);
    tcase_add_test(tc, upr_list);
    tcase_add_test(tc, list_verbs);
    tcase_add_test(tc, min_confidence_drops);
    tcase_add_test(tc, seed_statement);
    tcase_add_test(tc, held_out_english);
    tcase_add_test(tc, held_out_french);
    tcase_add_test(tc, held_out_spanish);
    tcase_add_test(tc, addressee_speaking);
    tcase_add_test(tc, upr_numbering_and_attribution);
    tcase_add_test(tc, held_out_second_set);
    tcase_add_test(tc, pronoun_goes_on_speaking);
    tcase_add_test(tc, noun_phrase_items);
    tcase_add_test(tc, folded_strings);
    suite_add_tcase(suite, tc);
    int failed = test_run_suite(suite);
    rw_lexicon_destroy(&lexicon);
    return failed ? 1 : 0;
}

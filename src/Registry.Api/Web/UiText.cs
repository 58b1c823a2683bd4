using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Registry.Matching;

namespace Registry.Api.Web;

/// <summary>
/// The web UI's words: Spanish by default, English when the user switches (cookie
/// <c>registry.lang</c>). Keys are the Spanish text itself, so a page reads naturally and a
/// missing translation shows Spanish rather than a key. Territory and document words follow the
/// deployment's country (<c>Registry:Country</c>: <c>MX</c> polígono / colonia, <c>CO</c> comuna o
/// corregimiento / barrio and cédula, TI, registro civil).
/// </summary>
public sealed class UiText(IHttpContextAccessor http, IConfiguration? configuration = null)
{
    public const string Cookie = "registry.lang";

    /// <summary>The deployment's country (ISO code), MX unless <c>Registry:Country</c> says CO.</summary>
    public string Country { get; } = configuration?["Registry:Country"]?.Trim().ToUpperInvariant() is "CO" ? "CO" : "MX";

    public bool Colombia => Country == "CO";

    public bool English => http.HttpContext?.Request.Cookies[Cookie] == "en";
    public string Lang => English ? "en" : "es";

    public string this[string spanish] => English && En.TryGetValue(spanish, out var en) ? en : spanish;

    public string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "—";
    public string Date(DateTime? d) => d?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "—";

    public string Sector(string sector) => this[sector switch
    {
        "health" => "Salud", "education" => "Educación", "economy" => "Economía y empleo", "security" => "Seguridad",
        "housing" => "Vivienda", "social" => "Desarrollo social (DIF)", _ => sector,
    }];

    /// <summary>A canonical field of a feed (<c>birth_date</c>, <c>curp</c>…) as the UI names it; a field without a label shows as stored.</summary>
    public string Field(string field) => this[field switch
    {
        "birth_date" => "Fecha de nacimiento", "service_date" => "Fecha del servicio", "curp" => "CURP", "phone" => "Teléfono",
        "postal_code" => "Código postal", "other_id" => Colombia ? "Documento de identidad" : "Otro identificador", "sex" => "Sexo",
        "document_number" => "Número de documento", "document_type" => "Tipo de documento",
        "municipality" => "Municipio", "poligono" or "comuna" or "corregimiento" => TerritoryWord, "colonia" or "barrio" => NeighbourhoodWord,
        "given_names" => "Nombre(s)", "paternal_surname" => "Primer apellido", "maternal_surname" => "Segundo apellido",
        "street" => "Calle", "house_number" => "Número", _ => field,
    }];

    /// <summary>The territory inside a municipality: Mexico's polígono, Colombia's comuna (urban) or corregimiento (rural).</summary>
    public string TerritoryWord => Colombia ? "Comuna o corregimiento" : "Polígono";

    /// <summary>The neighbourhood: Mexico's colonia, Colombia's barrio (or vereda).</summary>
    public string NeighbourhoodWord => Colombia ? "Barrio" : "Colonia";

    /// <summary>Why a record was linked (<c>match_decisions.rule</c>, a <see cref="LinkRule"/> code); a code this build does not know shows as stored.</summary>
    public string Rule(string? code) => !LinkRules.TryParse(code, out var rule) ? code ?? "" : this[rule switch
    {
        LinkRule.ExactCurp => "CURP conocida",
        LinkRule.AgencyPersonId => "Identificador de la institución",
        LinkRule.KnownKey => "Clave conocida",
        LinkRule.Probabilistic => "Por puntaje",
        LinkRule.ProbabilisticInChunk => "Por puntaje, con otra fila del mismo lote",
        LinkRule.SameKeyInChunk => "Misma clave que otra fila del mismo lote",
        LinkRule.NewPerson => "Persona nueva",
        _ => code!,
    }];

    /// <summary>Why a record asks a steward (a <see cref="ReviewReason"/> code); text this build does not know shows as stored.</summary>
    public string Reason(string? code) => !ReviewReasons.TryParse(code, out var reason) ? code ?? "" : this[reason switch
    {
        ReviewReason.ReviewBand => "Puntaje entre el umbral de revisión y el de enlace",
        ReviewReason.TwoValidCurps => "Los registros llevan dos CURP válidas distintas",
        ReviewReason.StewardSeparated => "Un custodio decidió que son personas distintas",
        ReviewReason.BridgesDisagreeing => "El registro une a dos personas del registro cuyos registros no concuerdan",
        ReviewReason.BridgesIncomparable => "El registro une a dos personas del registro que no se pueden comparar",
        ReviewReason.NamesOnly => "Solo coinciden los nombres: nada distingue a homónimos (fecha de nacimiento, CURP, otro identificador, teléfono, calle y número)",
        ReviewReason.AmbiguousNamesakes => "Dos personas del registro que no concuerdan entre sí coinciden con este registro (homónimos)",
        ReviewReason.ContradictedAgencyId =>
            "El identificador de la institución apunta a una persona que este registro contradice (¿identificador reutilizado o mal capturado?)",
        ReviewReason.ContradictedCurp => "La CURP apunta a una persona que este registro contradice (¿CURP de un familiar?)",
        ReviewReason.TwoValidDocuments => "Los registros llevan dos documentos válidos distintos del mismo tipo (dos cédulas, dos NUIP)",
        _ => code!,
    }];

    private static readonly Dictionary<string, string> En = new(StringComparer.Ordinal)
    {
        ["CURP conocida"] = "Known CURP",
        ["Identificador de la institución"] = "Agency's person id",
        ["Clave conocida"] = "Known key",
        ["Por puntaje"] = "By score",
        ["Por puntaje, con otra fila del mismo lote"] = "By score, with another row of the same chunk",
        ["Misma clave que otra fila del mismo lote"] = "Same key as another row of the same chunk",
        ["Persona nueva"] = "New person",
        ["Registro de familias"] = "Family registry",
        ["Buscar"] = "Search",
        ["Extractos"] = "Extracts",
        ["Bitácora de accesos"] = "Access log",
        ["Revisión"] = "Review",
        ["Historial de identidad"] = "Identity history",
        ["Motivo"] = "Reason",
        ["Sin fusiones ni separaciones."] = "No merges or splits.",
        ["Evento"] = "Event",
        ["Otra persona"] = "Other person",
        ["Fusión"] = "Merge",
        ["Separación"] = "Split",
        ["Personas distintas"] = "Different persons",
        ["Nombre(s)"] = "Given names",
        ["Primer apellido"] = "Paternal surname",
        ["Segundo apellido"] = "Maternal surname",
        ["Sexo"] = "Sex",
        ["Código postal"] = "Postal code",
        ["Teléfono"] = "Phone",
        ["Puntaje entre el umbral de revisión y el de enlace"] = "Score between the review and link thresholds",
        ["Los registros llevan dos CURP válidas distintas"] = "The records carry two different valid CURPs",
        ["Los registros llevan dos documentos válidos distintos del mismo tipo (dos cédulas, dos NUIP)"] = "The records carry two different valid documents of one type (two cédulas, two NUIPs)",
        ["Un custodio decidió que son personas distintas"] = "A steward decided these are different persons",
        ["El registro une a dos personas del registro cuyos registros no concuerdan"] = "The record bridges two registry persons whose own records disagree",
        ["El registro une a dos personas del registro que no se pueden comparar"] = "The record bridges two registry persons that cannot be compared",
        ["Solo coinciden los nombres: nada distingue a homónimos (fecha de nacimiento, CURP, otro identificador, teléfono, calle y número)"] =
            "Only the names agree: nothing tells namesakes apart (birth date, CURP, another id, phone, street and number)",
        ["Dos personas del registro que no concuerdan entre sí coinciden con este registro (homónimos)"] =
            "Two registry persons who disagree with each other both match this record (namesakes)",
        ["El identificador de la institución apunta a una persona que este registro contradice (¿identificador reutilizado o mal capturado?)"] =
            "The agency's person id names a person this record contradicts (an id reused or mistyped?)",
        ["La CURP apunta a una persona que este registro contradice (¿CURP de un familiar?)"] = "The CURP names a person this record contradicts (a relative's CURP?)",
        ["Revisión de coincidencias"] = "Match review",
        ["Modelo de coincidencia"] = "Matching model",
        ["Cómo se pesan las coincidencias entre registros (Fellegi–Sunter): cada campo y nivel de comparación suma o resta bits de evidencia. Un modelo nuevo solo decide los registros que lleguen después de entrar en vigor; los enlaces ya hechos solo cambian mediante tareas de revisión, nunca en silencio."] =
            "How matches between records are weighed (Fellegi–Sunter): each field and comparison level adds or subtracts bits of evidence. A new model only decides the records that arrive after it is in force; links already made change only through review tasks, never silently.",
        ["Modelo puesto en vigor."] = "Model put in force.",
        ["Ese modelo ya estaba en vigor."] = "That model was already in force.",
        ["Escriba el motivo: lo leerán los auditores."] = "Write the reason: auditors will read it.",
        ["Versiones"] = "Versions",
        ["Versión"] = "Version",
        ["Entrenado"] = "Trained",
        ["Precisión estimada"] = "Estimated precision",
        ["Exhaustividad estimada"] = "Estimated recall",
        ["Decisión"] = "Decision",
        ["En vigor"] = "In force",
        ["Sombra (no decide)"] = "Shadow (does not decide)",
        ["Retirado"] = "Retired",
        ["Valores iniciales"] = "Starting values",
        ["Umbral de enlace"] = "Link threshold",
        ["umbral de revisión"] = "review threshold",
        ["tope de los campos que comparte un hogar"] = "cap of the fields a household shares",
        ["en vigor desde"] = "in force since",
        ["Precisión y exhaustividad estimadas con las decisiones de los custodios"] = "Precision and recall estimated from stewards' decisions",
        ["Este modelo"] = "This model",
        ["Modelo en vigor al entrenar"] = "Model in force when trained",
        ["Tareas de revisión decididas"] = "Decided review tasks",
        ["Enlaces existentes (muestra) que no enlazaría"] = "Existing links (sample) it would not link",
        ["Pesos por campo (bits, log2 m/u)"] = "Weights per field (bits, log2 m/u)",
        ["Pesos por campo"] = "Weights per field",
        ["Qué cambió respecto a la versión anterior"] = "What changed since the previous version",
        ["Es la primera versión."] = "This is the first version.",
        ["Ningún peso se movió más de 0.5 bits."] = "No weight moved by more than 0.5 bits.",
        ["Nivel"] = "Level",
        ["Antes"] = "Before",
        ["Ahora"] = "Now",
        ["Historial"] = "History",
        ["Poner este modelo en vigor"] = "Put this model in force",
        ["Registros que podrían ser la misma persona. Mientras nadie decida, cada registro sigue siendo su propia persona."] =
            "Records that may be the same person. Until someone decides, each record stays its own person.",
        ["Decisión registrada: es la misma persona (fusionadas)."] = "Decision recorded: same person (merged).",
        ["Decisión registrada: son personas distintas; no se volverán a unir."] = "Decision recorded: different persons; they will not be joined again.",
        ["tareas abiertas"] = "open tasks",
        ["de"] = "of",
        ["Una tarea por par de personas, las de mayor impacto primero: puntaje cercano al umbral de enlace, hogares grandes, servicios de sectores sensibles. El sistema cierra solo las tareas que otra evidencia decide (una fusión, dos CURP válidas distintas, una decisión de un custodio)."] =
            "One task per pair of persons, highest impact first: score close to the link threshold, large households, services of sensitive sectors. The system closes by itself the tasks other evidence decides (a merge, two different valid CURPs, a steward's decision).",
        ["Prioridad"] = "Priority",
        ["registro pregunta por este par"] = "record asks about this pair",
        ["registros preguntan por este par"] = "records ask about this pair",
        ["miembros de hogar"] = "household members",
        ["servicios de un sector sensible"] = "services of a sensitive sector",
        ["Registro (mejor evidencia)"] = "Record (best evidence)",
        ["Revisión resuelta por el sistema"] = "Review settled by the system",
        ["Tarea"] = "Task",
        ["Puntaje"] = "Score",
        ["Registro"] = "Record",
        ["Modelo"] = "Model",
        ["Campo"] = "Field",
        ["Registro nuevo"] = "New record",
        ["Persona en el registro"] = "Person in the registry",
        ["registros"] = "records",
        ["Comparación"] = "Comparison",
        ["Peso"] = "Weight",
        ["Motivo (lo leerán los auditores)"] = "Reason (auditors will read it)",
        ["Es la misma persona"] = "Same person",
        ["Son personas distintas"] = "Different persons",
        ["Salir"] = "Sign out",
        ["Entrar"] = "Sign in",
        ["Usuario"] = "User name",
        ["Contraseña"] = "Password",
        ["Usuario o contraseña incorrectos."] = "Unknown user or wrong password.",
        ["Demasiadas contraseñas incorrectas: este usuario está bloqueado hasta"] = "Too many wrong passwords: this user is locked until",
        ["Hasta entonces se rechaza toda contraseña."] = "Until then every password is refused.",
        ["Cada usuario tiene su propia contraseña: la imprime make demo al arrancar (o la configura Auth:DevIssuer:Passwords)."] =
            "Each user has a password of its own: make demo prints them when it starts (or set Auth:DevIssuer:Passwords).",
        ["Entrar con el proveedor de identidad"] = "Sign in with the identity provider",
        ["Usuarios de demostración"] = "Demo users",
        ["Buscar hogares y personas"] = "Find households and persons",
        ["Nombre"] = "Name",
        ["Domicilio"] = "Address",
        ["Municipio"] = "Municipality",
        ["Polígono"] = "Polígono",
        ["Comuna o corregimiento"] = "Comuna or corregimiento",
        ["Barrio"] = "Barrio (neighbourhood)",
        ["Documento de identidad"] = "Identity document",
        ["Número de documento"] = "Document number",
        ["Tipo de documento"] = "Document type",
        ["Calle"] = "Street",
        ["Número"] = "Number",
        ["Id de la persona en la institución"] = "Agency person id",
        ["Institución"] = "Agency",
        ["Propósito de la consulta"] = "Purpose of this lookup",
        ["Seguimiento de caso"] = "Case follow-up",
        ["Verificación de elegibilidad"] = "Eligibility check",
        ["Auditoría"] = "Audit",
        ["Calidad de datos"] = "Data quality",
        ["Hogares"] = "Households",
        ["Personas"] = "Persons",
        ["Integrantes"] = "Members",
        ["Sin resultados."] = "No results.",
        ["Hay más resultados: afine la búsqueda."] = "More results exist: refine the search.",
        ["Hogar"] = "Household",
        ["Parentesco"] = "Relationship",
        ["Vigencia"] = "Valid",
        ["desde"] = "from",
        ["hasta"] = "to",
        ["vigente"] = "current",
        ["Fecha de nacimiento"] = "Birth date",
        ["Servicios por sector"] = "Services by sector",
        ["Línea de tiempo"] = "Timeline",
        ["Sectores sin servicio en los últimos 12 meses"] = "Sectors with no service in the last 12 months",
        ["Ninguno: todos los sectores tienen servicios recientes."] = "None: every sector has recent services.",
        ["Fecha"] = "Date",
        ["Sector"] = "Sector",
        ["Programa"] = "Programme",
        ["Tipo de servicio"] = "Service type",
        ["Estatus"] = "Status",
        ["Origen"] = "Source",
        ["detalle reservado"] = "detail restricted",
        ["registro reservado"] = "restricted record",
        ["dato reservado o no disponible"] = "restricted or not available",
        ["rastrear"] = "trace",
        ["Salud"] = "Health",
        ["Educación"] = "Education",
        ["Economía y empleo"] = "Economy and employment",
        ["Seguridad"] = "Security",
        ["Vivienda"] = "Housing",
        ["Desarrollo social (DIF)"] = "Social development (DIF)",
        ["Persona"] = "Person",
        ["Registro maestro"] = "Golden record",
        ["Valor"] = "Value",
        ["Fuente"] = "Source",
        ["Registros de origen"] = "Source records",
        ["Archivo"] = "File",
        ["Fila"] = "Row",
        ["Regla"] = "Rule",
        ["Clave"] = "Key",
        ["Decidió"] = "Decided by",
        ["Exportar linaje (PROV-JSON)"] = "Export lineage (PROV-JSON)",
        ["Origen de un servicio"] = "Where a service came from",
        ["Servicio"] = "Service",
        ["Extracto"] = "Extract",
        ["Recibido"] = "Received",
        ["Campos de la fila tal como los envió la institución"] = "Row fields as the agency sent them",
        ["Decisión de vinculación"] = "Link decision",
        ["Estado"] = "Status",
        ["Filas"] = "Rows",
        ["Aceptadas"] = "Accepted",
        ["Rechazadas"] = "Rejected",
        ["Resueltas"] = "Resolved",
        ["Sin cambios"] = "Unchanged",
        ["Descargar filas rechazadas (CSV)"] = "Download rejected rows (CSV)",
        ["Avisos"] = "Warnings",
        ["Valores no usados de filas aceptadas, por campo"] = "Values left out of accepted rows, by field",
        ["Descargar avisos (CSV)"] = "Download warnings (CSV)",
        ["Fecha del servicio"] = "Service date",
        ["Otro identificador"] = "Other identifier",
        ["Valores no usados (avisos)"] = "Values left out (warnings)",
        ["Valor enviado"] = "Value sent",
        ["Descarga CSV de filas rechazadas"] = "Rejected rows CSV download",
        ["Descarga CSV de avisos de calidad"] = "Warnings CSV download",
        ["Procesando…"] = "Processing…",
        ["Avance"] = "Progress",
        ["Filas leídas"] = "Rows read",
        ["Fragmentos resueltos"] = "Chunks resolved",
        ["Tiempos"] = "Timings",
        ["filas/s"] = "rows/s",
        ["Lectura iniciada"] = "Parse started",
        ["Primer fragmento en cola"] = "First chunk queued",
        ["Lectura terminada"] = "Parse ended",
        ["Resuelto"] = "Resolved",
        ["Quién"] = "Who",
        ["Rol"] = "Role",
        ["Qué"] = "What",
        ["Cuándo"] = "When",
        ["Propósito"] = "Purpose",
        ["Detalle"] = "Detail",
        ["Filtrar"] = "Filter",
        ["Tipo"] = "Kind",
        ["Todos"] = "All",
        ["Anterior"] = "Previous",
        ["Siguiente"] = "Next",
        ["Página"] = "Page",
        ["Acceso denegado"] = "Access denied",
        ["Su rol no permite ver esta página."] = "Your role does not allow this page.",
        ["Fuera de sus municipios."] = "Outside your municipalities.",
        ["No encontrado."] = "Not found.",
        ["Cada consulta de personas, hogares y linaje queda registrada con su propósito."] = "Every read of persons, households and lineage is logged with its purpose.",
        ["Ir al contenido"] = "Skip to content",
        ["Errores"] = "Errors",
        ["Hogares del titular"] = "Households",
        ["Ver hogar"] = "Open household",
        ["Cobertura"] = "Coverage",
        ["Cobertura por territorio"] = "Coverage by territory",
        ["(sin dato)"] = "(not given)",
        ["Elija un municipio."] = "Choose a municipality.",
        ["Territorio"] = "Territory",
        ["Desde"] = "From",
        ["Hasta"] = "To",
        ["Ver"] = "Show",
        ["Periodo"] = "Period",
        ["Cifras menores que"] = "Counts below",
        ["se muestran como"] = "read as",
        ["y otras se ocultan para que no puedan deducirse."] = "and others are hidden so that they cannot be worked out.",
        ["Alcanzados en el periodo"] = "Reached in the period",
        ["Hogares nuevos"] = "New households",
        ["Hogares que regresan"] = "Returning households",
        ["Hogares alcanzados por área"] = "Households reached by area",
        ["Hogares sin servicio en los últimos 12 meses, por sector"] = "Households with no service in the last 12 months, by sector",
        ["Cada celda: hogares sin ningún servicio del sector (y su parte de los hogares del área). Elija una celda para ver esa área y ese sector."] =
            "Each cell: households with no service of the sector (and their share of the area's households). Choose a cell to open that area for that sector.",
        ["Hogares sin servicio por sector y área"] = "Households with no service by sector and area",
        ["Hogares sin servicio en los últimos 12 meses"] = "Households with no service in the last 12 months",
        ["Ver hogares"] = "Show households",
        ["Hogares por número de sectores en los últimos 12 meses"] = "Households by number of sectors in the last 12 months",
        ["Área"] = "Area",
        ["Ningún sector"] = "No sector",
        ["Un solo sector"] = "One sector only",
        ["Varios sectores"] = "Several sectors",
        ["Total"] = "Total",
        ["Hogares alcanzados por sector y área en el periodo"] = "Households reached by sector and area in the period",
        ["Hogares alcanzados por sector y área"] = "Households reached by sector and area",
        ["Tendencia mensual"] = "Monthly trend",
        ["Hogares alcanzados por mes"] = "Households reached per month",
        ["Por área"] = "By area",
        ["Hogares sin servicio"] = "Households with no service",
        ["hogares sin ningún servicio"] = "households with no service",
        ["de ningún sector"] = "of any sector",
        ["del sector"] = "of the sector",
        ["Cada consulta de un hogar queda registrada con su propósito."] = "Every read of a household is logged with its purpose.",
        ["Colonia"] = "Colonia",
        ["Último servicio del sector"] = "Last service of the sector",
        ["nunca"] = "never",
        ["Motivos"] = "Reasons",
        ["Orden"] = "Order",
        ["Antigüedad (más antiguas primero)"] = "Age (oldest first)",
        ["Familia de"] = "Family of",
        ["integrante"] = "member",
        ["integrantes"] = "members",
        ["Id del hogar"] = "Household id",
    };
}

/// <summary>UI routes that are not pages: language switch and sign-out.</summary>
public static class UiEndpoints
{
    public static void MapUi(this WebApplication app)
    {
        app.MapGet("/idioma/{lang}", (string lang, string? volver, HttpContext http) =>
        {
            http.Response.Cookies.Append(UiText.Cookie, lang == "en" ? "en" : "es",
                new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(365), IsEssential = true });
            return Results.LocalRedirect(LocalOnly(volver));
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/login");
        }).ExcludeFromDescription();
    }

    /// <summary>Only local return addresses (no open redirect).</summary>
    public static string LocalOnly(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}

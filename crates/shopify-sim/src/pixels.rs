//! The app's web pixel: `webPixelCreate`, `webPixelUpdate` and `webPixel`, with settings checked
//! against the keys the deployed extension declares (shopify.dev "webPixelCreate").

use std::cell::RefCell;

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::JsonValue;

use crate::shop::gid;

/// The deployed pixel extension's settings keys, and the pixel the app created, if any.
#[derive(Clone, Debug, Default)]
pub struct WebPixels {
    /// `None` until the extension is deployed.
    pub declared_keys: Option<Vec<String>>,
    /// Id and settings as a JSON string.
    pub pixel: Option<(u64, String)>,
}

type PixelError = (&'static str, String);

impl WebPixels {
    /// Creates the pixel (`id` = `None`) or updates it.
    fn save(&mut self, id: Option<&str>, settings: Option<&JsonValue>) -> Result<(u64, String), PixelError> {
        let Some(declared) = &self.declared_keys else {
            return Err(("NO_EXTENSION", "No extension found".to_owned()));
        };
        match (id, &self.pixel) {
            (None, Some(_)) => {
                return Err(("TAKEN", "The app already has a web pixel on this shop".to_owned()));
            }
            (Some(id), Some((existing, _))) if *id == gid("WebPixel", *existing) => {}
            (Some(_), _) => return Err(("NOT_FOUND", "Web pixel not found".to_owned())),
            (None, None) => {}
        }
        let settings = match settings {
            Some(JsonValue::String(text)) => serde_json::from_str::<JsonValue>(text.as_str())
                .map_err(|_| ("INVALID_CONFIGURATION_JSON", "settings is not a valid JSON".to_owned()))?,
            Some(other) => other.clone(),
            None => return Err(("BLANK", "Settings can't be blank".to_owned())),
        };
        let Some(object) = settings.as_object() else {
            return Err(("INVALID_SETTINGS", "Settings must be a JSON object".to_owned()));
        };
        let missing: Vec<&str> =
            declared.iter().filter(|key| !object.contains_key(key.as_str())).map(String::as_str).collect();
        if !missing.is_empty() {
            return Err(("INVALID_SETTINGS", format!("Missing keys: {}", missing.join(", "))));
        }
        let unexpected: Vec<&str> = object
            .keys()
            .map(|key| key.as_str())
            .filter(|key| !declared.iter().any(|declared| declared == key))
            .collect();
        if !unexpected.is_empty() {
            return Err(("INVALID_SETTINGS", format!("Unexpected keys: {}", unexpected.join(", "))));
        }
        if let Some((key, _)) = object.iter().find(|(_, value)| !value.is_string()) {
            return Err(("INVALID_SETTINGS", format!("Setting `{}` must be a string", key.as_str())));
        }
        let id = self.pixel.as_ref().map_or(1, |(id, _)| *id);
        let stored = serde_json::to_string(&settings).unwrap_or_default();
        self.pixel = Some((id, stored.clone()));
        Ok((id, stored))
    }
}

/// `webPixelCreate` or `webPixelUpdate`.
pub(crate) fn save_pixel(pixels: &RefCell<WebPixels>, info: &ResolveInfo<'_>) -> PixelPayload {
    let arguments = info.arguments();
    let id = arguments.get("id").and_then(JsonValue::as_str);
    let settings = arguments.get("webPixel").and_then(|input| input.get("settings"));
    let type_name = if id.is_some() { "WebPixelUpdatePayload" } else { "WebPixelCreatePayload" };
    match pixels.borrow_mut().save(id, settings) {
        Ok(pixel) => PixelPayload { type_name, pixel: Some(pixel), error: None },
        Err(error) => PixelPayload { type_name, pixel: None, error: Some(error) },
    }
}

/// `webPixel(id:)`: the app's pixel, or null.
pub(crate) fn pixel_field<'a>(pixels: &RefCell<WebPixels>, info: &ResolveInfo<'a>) -> ResolvedValue<'a> {
    let wanted = info.arguments().get("id").and_then(JsonValue::as_str).map(str::to_owned);
    let pixel = pixels
        .borrow()
        .pixel
        .clone()
        .filter(|(id, _)| wanted.as_ref().is_none_or(|wanted| *wanted == gid("WebPixel", *id)));
    ResolvedValue::nullable_object(pixel.map(PixelValue))
}

pub(crate) struct PixelPayload {
    type_name: &'static str,
    pixel: Option<(u64, String)>,
    error: Option<PixelError>,
}

impl ObjectValue for PixelPayload {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        match info.field_name() {
            "webPixel" => Ok(ResolvedValue::nullable_object(self.pixel.clone().map(PixelValue))),
            "userErrors" => Ok(ResolvedValue::list(
                self.error.iter().map(|error| ResolvedValue::object(PixelErrorValue(error))),
            )),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct PixelErrorValue<'e>(&'e PixelError);

impl ObjectValue for PixelErrorValue<'_> {
    fn type_name(&self) -> &str {
        "ErrorsWebPixelUserError"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let (code, message) = self.0;
        match info.field_name() {
            "code" => Ok(ResolvedValue::leaf(*code)),
            "field" => Ok(ResolvedValue::list([ResolvedValue::leaf("webPixel")])),
            "message" => Ok(ResolvedValue::leaf(message.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

struct PixelValue((u64, String));

impl ObjectValue for PixelValue {
    fn type_name(&self) -> &str {
        "WebPixel"
    }

    fn resolve_field<'a>(&'a self, info: &'a ResolveInfo<'a>) -> Result<ResolvedValue<'a>, FieldError> {
        let (id, settings) = &self.0;
        match info.field_name() {
            "id" => Ok(ResolvedValue::leaf(gid("WebPixel", *id))),
            // Shopify returns the settings as a JSON-encoded string.
            "settings" => Ok(ResolvedValue::leaf(settings.as_str())),
            _ => Err(self.unknown_field_error(info)),
        }
    }
}
